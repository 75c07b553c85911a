// A decorator over any batch evaluator: scores from the SQLite cache, the misses passed on and
// each stored as soon as it is scored.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "vitdse/search/score.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::store {

/// Looks each candidate up by its cache key under `context` (Scoring::context()); hands the
/// misses, in order, to `inner` and commits each result to the database as `inner` reports it,
/// so an interrupted run loses nothing finished.
///
///     search::ParallelEvaluator fresh(scorer);
///     CachedEvaluator evaluator(fresh, scorer.context(), db);
///     auto scored = evaluator.evaluate(candidates);
class CachedEvaluator final : public search::BatchEvaluator {
 public:
  CachedEvaluator(search::BatchEvaluator& inner, std::string context, Database& db)
      : inner_(inner), context_(std::move(context)), db_(db) {}

  using search::BatchEvaluator::evaluate;
  [[nodiscard]] std::vector<search::Scored> evaluate(std::span<const search::Candidate> batch,
                                                     const OnScored& on_scored) override;

  [[nodiscard]] std::int64_t hits() const { return hits_; }
  [[nodiscard]] std::int64_t misses() const { return misses_; }
  /// Wall time the inner evaluator spent on misses, in seconds.
  [[nodiscard]] double scoring_seconds() const { return scoring_seconds_; }

 private:
  search::BatchEvaluator& inner_;
  std::string context_;
  Database& db_;
  std::atomic<std::int64_t> hits_ = 0, misses_ = 0;
  double scoring_seconds_ = 0;
};

}  // namespace vitdse::store

// A decorator over any batch evaluator: scores from the SQLite cache, the misses passed on and
// each stored as soon as it is scored.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "vitdse/search/score.hpp"
#include "vitdse/search/scoring.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::store {

/// Looks each candidate up by `scoring`'s cache key (the key the search records); hands the
/// misses, in order, to `inner` and commits each result to the database as `inner` reports it,
/// so an interrupted run loses nothing finished (results `inner` returns unreported are
/// committed when it returns).
///
///     search::ParallelEvaluator fresh(scorer);
///     CachedEvaluator evaluator(fresh, scorer, db);
///     auto scored = evaluator.evaluate(candidates);
class CachedEvaluator final : public search::BatchEvaluator {
 public:
  CachedEvaluator(search::BatchEvaluator& inner, const search::Scoring& scoring, Database& db)
      : inner_(inner), scoring_(scoring), db_(db) {}

  using search::BatchEvaluator::evaluate;
  [[nodiscard]] std::vector<search::Scored> evaluate(std::span<const search::Candidate> batch,
                                                     const OnScored& on_scored) override;

  [[nodiscard]] std::int64_t hits() const { return hits_; }
  [[nodiscard]] std::int64_t misses() const { return misses_; }
  /// Wall time the inner evaluator spent on misses, in seconds.
  [[nodiscard]] double scoring_seconds() const { return scoring_seconds_; }

 private:
  search::BatchEvaluator& inner_;
  const search::Scoring& scoring_;
  Database& db_;
  std::atomic<std::int64_t> hits_ = 0, misses_ = 0;
  double scoring_seconds_ = 0;
};

}  // namespace vitdse::store

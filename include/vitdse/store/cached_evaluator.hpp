// The batch evaluator of a search: scores from the SQLite cache, or fresh and stored at once.
#pragma once

#include <atomic>
#include <cstdint>

#include "vitdse/search/scorer.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::store {

/// Looks each candidate up by Scorer::key(); scores the misses in parallel (TBB) and commits
/// each to the database as soon as it is scored, so an interrupted run loses nothing finished.
///
///     CachedEvaluator evaluator(scorer, db);
///     auto scored = evaluator.evaluate(candidates);
class CachedEvaluator final : public search::BatchEvaluator {
 public:
  CachedEvaluator(const search::Scorer& scorer, Database& db) : scorer_(scorer), db_(db) {}

  [[nodiscard]] std::vector<search::Scored> evaluate(std::span<const search::Candidate> batch) override;

  [[nodiscard]] std::int64_t hits() const { return hits_; }
  [[nodiscard]] std::int64_t misses() const { return misses_; }
  /// Wall time spent scoring misses (the forward passes and the cost model), in seconds.
  [[nodiscard]] double scoring_seconds() const { return scoring_seconds_; }

 private:
  const search::Scorer& scorer_;
  Database& db_;
  std::atomic<std::int64_t> hits_ = 0, misses_ = 0;
  double scoring_seconds_ = 0;
};

}  // namespace vitdse::store

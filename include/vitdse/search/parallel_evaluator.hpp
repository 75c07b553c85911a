// The batch evaluator of one process: a batch's designs scored side by side on TBB's threads.
#pragma once

#include "vitdse/search/score.hpp"
#include "vitdse/search/scoring.hpp"

namespace vitdse::search {

/// Scores every candidate of a batch with `scorer`, one design per task (each forward pass is
/// itself parallel over images).
///
///     ParallelEvaluator evaluator(scorer);
///     auto scored = evaluator.evaluate(candidates);
class ParallelEvaluator final : public BatchEvaluator {
 public:
  explicit ParallelEvaluator(const Scoring& scorer) : scorer_(scorer) {}

  using BatchEvaluator::evaluate;
  [[nodiscard]] std::vector<Scored> evaluate(std::span<const Candidate> batch, const OnScored& on_scored) override;

 private:
  const Scoring& scorer_;
};

}  // namespace vitdse::search

// Rank 0's batch evaluator in a job of several ranks: each piece of a design goes to whichever rank
// is idle (rank 0 included), and results are collected in candidate order.
#pragma once

#include <atomic>
#include <cstdint>

#include "local_scorer.hpp"
#include "piece_scheduler.hpp"
#include "vitdse/search/scoring_stack.hpp"

namespace vitdse::cluster {

/// Sends a setup's text to every other rank, which starts building its stack; the serial number
/// the designs for it will carry. An evaluator for a stack of the same text then sends nothing.
std::uint64_t announce_setup(const std::string& text, int ranks);

class MpiEvaluator final : public search::BatchEvaluator {
 public:
  /// Sends `stack`'s setup to every other rank and waits until each has built the same stack
  /// (the same scoring context) or failed, whose error it then throws.
  MpiEvaluator(const search::ScoringStack& stack, const std::atomic<bool>* stop, int ranks);

  using search::BatchEvaluator::evaluate;
  [[nodiscard]] std::vector<search::Scored> evaluate(std::span<const search::Candidate> batch,
                                                     const OnScored& on_scored) override;

 private:
  const search::ScoringStack& stack_;
  const std::atomic<bool>* stop_;
  int ranks_;
  std::uint64_t setup_;
  std::uint64_t batches_ = 0;
  PieceScheduler scheduler_;
  LocalScorer local_;
};

}  // namespace vitdse::cluster

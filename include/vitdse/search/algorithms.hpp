// Search algorithms over a SearchRun: Pareto-aware MCTS and the baselines it is measured against.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vitdse/search/search_run.hpp"

namespace vitdse::search {

enum class Algorithm { mcts, random, nsga2, greedy, moead };
std::string to_string(Algorithm a);
Algorithm parse_algorithm(const std::string& name);
std::vector<Algorithm> parse_algorithms(const std::string& comma_list);

struct AlgorithmOptions {
  std::uint64_t seed = 0;
  /// Designs handed to the batch evaluator at once (MCTS leaves under virtual loss, random
  /// samples). Results do not depend on the thread count, only on this and the seed.
  std::size_t batch = 4;
  double exploration = 0.5;      ///< MCTS: UCT constant on min-max normalised rewards
  double widening_c = 1.0;       ///< MCTS: a node visited n times has at most ceil(c·n^alpha) children
  double widening_alpha = 0.5;   ///< MCTS
  double rollout_sharpness = 4;  ///< MCTS: how strongly rollouts follow the choices' measured rewards
  double rollout_changes = 2;    ///< MCTS: undecided variables a rollout moves off their reference, on average
  double refine_share = 0.5;     ///< MCTS: share of each batch spent on local refinement of the front
  bool surrogate = true;         ///< MCTS: learn the accuracy model (off: refinement expects no step to cost accuracy)
  unsigned population = 20;      ///< NSGA-II (rounded up to a multiple of 4) and MOEA/D
};

/// Runs `algorithm` until the run's budget is spent, a stop is requested, or the algorithm has
/// nothing new to try. Scores the reference point first.
void run_algorithm(Algorithm algorithm, SearchRun& run, const AlgorithmOptions& options);

// One file each.
void run_mcts(SearchRun& run, const AlgorithmOptions& options);
void run_random(SearchRun& run, const AlgorithmOptions& options);
void run_nsga2(SearchRun& run, const AlgorithmOptions& options);
void run_greedy(SearchRun& run, const AlgorithmOptions& options);
void run_moead(SearchRun& run, const AlgorithmOptions& options);

}  // namespace vitdse::search

// A whole `vitdse search`: set-up from a policy, the run with its cache, re-scoring of the front
// on the full test split, and the run directory (pareto.csv, all.csv, hv.csv, run.yaml, log.txt).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vitdse/eval/evaluator.hpp"
#include "vitdse/search/algorithms.hpp"
#include "vitdse/search/objectives.hpp"

namespace vitdse::report {

struct SearchJobOptions {
  std::string policy = "default";
  std::string model;                                      ///< empty: the policy's
  std::string arch;                                       ///< empty: the policy's
  std::string data;                                       ///< empty: $VITDSE_DATA, then the card's dataset
  std::optional<std::vector<search::Metric>> objectives;  ///< empty: the policy's
  std::vector<search::Constraint> constraints;            ///< added to the policy's
  search::Algorithm algorithm = search::Algorithm::mcts;
  search::AlgorithmOptions algorithm_options;
  std::int64_t budget = 300;
  std::size_t images = 0;            ///< evaluation slice; 0: the policy's
  std::size_t screen_images = 0;     ///< screen each design on this many of them first; 0: no screening
  eval::Device device;               ///< where designs are evaluated (the scores do not depend on it)
  std::size_t final_images = 10000;  ///< re-score the front on this many test images; 0: skip
  std::filesystem::path db = "vitdse.sqlite";
  std::filesystem::path out;  ///< empty: runs/<run id>
  std::string command_line;   ///< recorded with the run
  bool progress = true;
};

struct SearchJobResult {
  std::string run_id;
  std::filesystem::path out;
  std::string status;  ///< done | interrupted
  std::int64_t evaluations = 0, cache_hits = 0;
  std::int64_t full_evaluations = 0;  ///< of which scored in full (the rest were screened out)
  std::int64_t images_scored = 0;     ///< test images of every evaluation, cached or not
  std::size_t front_size = 0;
  double hypervolume = 0;
  double seconds = 0;
  double search_seconds = 0;   ///< the search loop, set-up and the final re-scoring excluded
  double scoring_seconds = 0;  ///< of which forward passes and cost model (the rest is overhead:
                               ///< tree, archive, candidates, cache look-ups and inserts)
  /// Hypervolume, full evaluations and images scored after each evaluation (for comparisons).
  std::vector<double> hv_trace;
  std::vector<std::int64_t> full_trace, images_trace;
};

/// How comparisons and reports name a run's algorithm: "mcts", or "mcts+screen50" when it
/// screened on 50 images.
std::string algorithm_label(const std::string& algorithm, std::size_t screen_images);

/// Runs the search. `stop` (may be null) asks it to finish the current batch and write what it
/// has; the result's status then says "interrupted".
SearchJobResult run_search_job(const SearchJobOptions& options, const std::atomic<bool>* stop);

}  // namespace vitdse::report

// `vitdse compare`: several search algorithms on the same seeds, budget, reference point and
// normalisation, compared by hypervolume against evaluations.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <vector>

#include "vitdse/report/search_job.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::report {

struct CompareOptions {
  SearchJobOptions job;  ///< shared by every run; its seed is the first seed
  std::vector<search::Algorithm> algorithms{search::Algorithm::mcts, search::Algorithm::random,
                                            search::Algorithm::nsga2, search::Algorithm::greedy,
                                            search::Algorithm::moead};
  int seeds = 5;
  /// When set, every algorithm runs twice: scored in full, and screened on this many images first
  /// (job.screen_images is ignored).
  std::size_t screen_images = 0;
  std::filesystem::path out;  ///< default: runs/compare-b<budget>
};

/// One seed's run: after each evaluation, the hypervolume, the full evaluations and the images.
struct RunTrace {
  std::vector<double> hv;
  std::vector<std::int64_t> full, images;
};

struct AlgorithmSummary {
  search::Algorithm algorithm = search::Algorithm::mcts;
  std::size_t screen_images = 0;             ///< 0: every design scored in full
  std::vector<double> final_hv;              ///< per seed
  std::vector<RunTrace> runs;                ///< per seed
  std::vector<double> median_trace;          ///< median over seeds after each full evaluation
  std::vector<double> min_trace, max_trace;  ///< the spread over seeds
  double median = 0, min = 0, max = 0;
  /// The algorithm's name, with "+screenN" when screened on N images.
  [[nodiscard]] std::string name() const;
};

struct CompareResult {
  std::vector<AlgorithmSummary> algorithms;
  std::filesystem::path out;
  bool interrupted = false;
};

/// Runs every algorithm on seeds seed..seed+K-1 (each run a normal search in the shared
/// database, so a repeated comparison comes from the cache), then writes hv.csv (every trace),
/// summary.csv and hv.svg (median and spread against evaluations) under `out`.
CompareResult compare_algorithms(const CompareOptions& options, const std::atomic<bool>* stop);

/// The summary as a table (summary.csv and the command's output). Besides each algorithm's final
/// hypervolume over seeds, it gives the full evaluations after which its median trace reaches the
/// best final median of the other algorithms in the same setting (screened or not): "never" if it
/// does not, "n/a" when that median is 0 (nothing to reach) or there is no other algorithm; and the
/// median images scored. A screened row also gives its final median against the same algorithm
/// scored in full, and the images (median over seeds) after which it came within 1% of that
/// median, with the full runs' images divided by them.
Table compare_table(const CompareResult& result, std::int64_t budget);

}  // namespace vitdse::report

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
  std::filesystem::path out;  ///< default: runs/compare-b<budget>
};

struct AlgorithmSummary {
  search::Algorithm algorithm = search::Algorithm::mcts;
  std::vector<double> final_hv;              ///< per seed
  std::vector<double> median_trace;          ///< median over seeds after each evaluation
  std::vector<double> min_trace, max_trace;  ///< the spread over seeds
  double median = 0, min = 0, max = 0;
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
/// hypervolume over seeds, it gives the evaluations after which its median trace reaches the
/// best final median of the other algorithms: "never" if it does not, "n/a" when that median is
/// 0 (nothing to reach) or there is no other algorithm.
Table compare_table(const CompareResult& result, std::int64_t budget);

}  // namespace vitdse::report

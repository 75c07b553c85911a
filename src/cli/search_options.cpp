// The options `vitdse search` and `vitdse compare` share.
#include "cli/search_options.hpp"

#include <algorithm>
#include <thread>

#include "vitdse/cluster/cluster.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/search/objectives.hpp"

namespace vitdse::cli {

void add_search_options(po::options_description& options, SearchFlags& flags, report::SearchJobOptions& job) {
  options.add_options()("budget", po::value(&job.budget)->default_value(300),
                        "designs to score in full (distinct evaluations)")(
      "policy", po::value(&job.policy)->default_value("default"), "design space and prior: a policies/ name or a path")(
      "model", po::value(&job.model), "model card (default: the policy's)")(
      "arch", po::value(&job.arch), "accelerator template (default: the policy's)")(
      "objectives", po::value(&flags.objectives), "top1,energy[,area,latency,power] (default: the policy's)")(
      "constraint", po::value(&flags.constraints)->composing(),
      "e.g. 'top1_drop_pp <= 2' or 'area_mm2 <= 1.5'; repeatable, added to the policy's")(
      "images", po::value(&job.images)->default_value(0), "test images per evaluation (default: the policy's)")(
      "screen-images", po::value(&job.screen_images)->default_value(0),
      "multi-fidelity: score each design on this many of the --images first, and in full only if it could "
      "reach the front (0: off)")("final-images", po::value(&job.final_images)->default_value(10000),
                                  "re-score the front on this many test images at the end; 0 skips")(
      "batch", po::value(&job.algorithm_options.batch)->default_value(4),
      "designs scored at once (results depend on it, not on --threads)")(
      "refine-share", po::value(&job.algorithm_options.refine_share)->default_value(0.5),
      "MCTS: share of each batch spent refining the front by local search (0: tree only)")(
      "no-surrogate", po::bool_switch(&flags.no_surrogate),
      "MCTS: do not learn the accuracy model that screens refinements (they then expect no accuracy loss)")(
      "threads", po::value(&flags.threads)->default_value(0),
      "worker threads of each process (default: all cores, shared among the MPI ranks on a host)")(
      "db", po::value(&job.db)->default_value("vitdse.sqlite"), "SQLite cache of evaluations and runs")(
      "data", po::value(&job.data), "dataset: a path or kind:path (default: $VITDSE_DATA, then the card's)");
  add_device_option(options, flags.device);
}

void apply_search_flags(const SearchFlags& flags, report::SearchJobOptions& job) {
  if (job.budget < 1) throw usage_error("--budget must be at least 1");
  if (job.budget > 1000000) throw usage_error("--budget must be at most 1000000");
  if (job.algorithm_options.batch < 1 || job.algorithm_options.batch > 256) {
    throw usage_error("--batch must be in 1..256");
  }
  if (!(job.algorithm_options.refine_share >= 0 && job.algorithm_options.refine_share <= 1)) {
    throw usage_error("--refine-share must be in [0, 1]");
  }
  job.algorithm_options.surrogate = !flags.no_surrogate;
  if (flags.threads < 0) throw usage_error("--threads must be positive (0: all cores)");
  job.device = eval::parse_device(flags.device);
  if (!flags.objectives.empty()) job.objectives = search::parse_objectives(flags.objectives);
  for (const auto& c : flags.constraints) job.constraints.push_back(search::parse_constraint(c));
}

std::unique_ptr<tbb::global_control> limit_threads(int threads) {
  // By default the ranks of a job that share a host share its cores.
  const int ranks_here = cluster::place().node_size;
  if (threads <= 0 && ranks_here > 1) {
    threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / ranks_here);
  }
  if (threads <= 0) return nullptr;
  return std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                               static_cast<std::size_t>(threads));
}

}  // namespace vitdse::cli

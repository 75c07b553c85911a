// vitdse search: a Pareto front of accuracy against cost within a budget of evaluations.
#include <ostream>

#include "cli/options.hpp"
#include "cli/search_options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/interrupt.hpp"
#include "vitdse/core/progress.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/report/search_job.hpp"

namespace vitdse::cli {

int search_command(Context& ctx) {
  po::options_description options("options");
  SearchFlags flags;
  std::string algo;
  report::SearchJobOptions job;
  add_search_options(options, flags, job);
  options.add_options()("algo", po::value(&algo)->default_value("mcts"), "mcts | random | nsga2 | greedy | moead")(
      "seed", po::value(&job.algorithm_options.seed)->default_value(0), "seed of every random choice of the search")(
      "out", po::value(&job.out), "run directory (default: runs/<run id>)");
  po::variables_map vm;
  if (!parse_options(ctx, "search", "[--budget N] [--policy P] [--algo A] [--seed S] [--db F] [--out DIR]", options,
                     vm)) {
    return 0;
  }
  job.algorithm = search::parse_algorithm(algo);
  apply_search_flags(flags, job);
  job.command_line = "vitdse search " + join(ctx.args, " ");
  const auto thread_limit = limit_threads(flags.threads);
  const InterruptGuard guard;
  const auto r = report::run_search_job(job, &guard.stop());
  const double overhead = r.search_seconds - r.scoring_seconds;
  const double share = r.search_seconds > 0 ? 100 * overhead / r.search_seconds : 0;
  ctx.out << "run " << r.run_id << " (" << r.status << "): " << r.evaluations << " evaluations, " << r.cache_hits
          << " from the cache, " << format_duration(r.seconds) << "\n";
  if (job.screen_images > 0) {
    ctx.out << "screening on " << job.screen_images << " images: " << r.full_evaluations << " scored in full, "
            << r.evaluations - r.full_evaluations << " screened out\n";
  }
  ctx.out << "images scored: " << r.images_scored << "\n"
          << "search loop " << format_number(r.search_seconds, 3) << " s: scoring designs "
          << format_number(r.scoring_seconds, 3) << " s; tree, archive and cache " << format_number(overhead, 3)
          << " s (" << format_number(share, share >= 10 ? 3 : 2) << "%)\n"
          << "front: " << r.front_size << " designs, hypervolume " << format_number(r.hypervolume, 6) << "\n"
          << "wrote " << (r.out / "pareto.csv").string() << ", all.csv, hv.csv, run.yaml, log.txt\n";
  return r.status == "done" ? 0 : 130;
}

}  // namespace vitdse::cli

// vitdse compare: search algorithms on the same seeds, by hypervolume against evaluations.
#include <ostream>
#include <utility>

#include "cli/options.hpp"
#include "cli/search_options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/interrupt.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/report/compare.hpp"

namespace vitdse::cli {

int compare_command(Context& ctx) {
  po::options_description options("options");
  SearchFlags flags;
  report::CompareOptions co;
  std::string algos;
  add_search_options(options, flags, co.job);
  options.add_options()("seeds", po::value(&co.seeds)->default_value(5), "seeds per algorithm: --seed, --seed+1, ...")(
      "seed", po::value(&co.job.algorithm_options.seed)->default_value(0), "first seed")(
      "algos", po::value(&algos)->default_value("mcts,random,nsga2,greedy,moead"), "algorithms to compare")(
      "out", po::value(&co.out), "output directory (default: runs/compare-b<budget>)");
  po::variables_map vm;
  if (!parse_options(ctx, "compare",
                     "[--budget N] [--seeds K] [--algos mcts,random,nsga2,greedy,moead] [--db F]\n"
                     "  [--screen-images N: every algorithm also runs screened, beside its full-fidelity runs]",
                     options, vm)) {
    return 0;
  }
  if (co.seeds < 1 || co.seeds > 1000) throw usage_error("--seeds must be in 1..1000");
  co.algorithms = search::parse_algorithms(algos);
  apply_search_flags(flags, co.job);
  co.screen_images = std::exchange(co.job.screen_images, 0);  // both settings, each algorithm
  co.job.command_line = "vitdse compare " + join(ctx.args, " ");
  co.job.progress = false;
  const auto thread_limit = limit_threads(flags.threads);
  const InterruptGuard guard;
  const auto r = report::compare_algorithms(co, &guard.stop());
  ctx.out << report::compare_table(r, co.job.budget).to_text() << "\nwrote " << (r.out / "summary.csv").string()
          << ", hv.csv, hv.svg" << (co.screen_images > 0 ? ", hv_images.svg" : "") << "\n";
  return r.interrupted ? 130 : 0;
}

}  // namespace vitdse::cli

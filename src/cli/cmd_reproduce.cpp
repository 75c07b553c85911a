// vitdse reproduce: the source papers' tables, rebuilt and set against the published figures.
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <ostream>

#include "cli/options.hpp"
#include "cli/search_options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/report/reproduce.hpp"

namespace vitdse::cli {

int reproduce_command(Context& ctx) {
  po::options_description options("options");
  std::string paper, out, device;
  int threads = 0;
  report::ReproduceOptions ro;
  options.add_options()("paper", po::value(&paper),
                        "a paper (ascend, lowpower, transaxx, trio-vit) or all; positional")(
      "fast", po::bool_switch(&ro.fast), "analytical tables, and functional ones on 1,000 images (the CI form)")(
      "out", po::value(&out)->default_value("results"), "output directory; each paper writes <out>/<paper>/")(
      "images", po::value(&ro.images)->default_value(0),
      "test images for the functional tables (0: 1,000 with --fast, else 10,000)")(
      "finetune-images", po::value(&ro.finetune_images)->default_value(0),
      "training images of each fine-tuning, one epoch (0: 2,000 with --fast, else 10,000)")(
      "data", po::value(&ro.data), "dataset for the functional tables: a path or kind:path (default: each card's)")(
      "seed", po::value(&ro.seed)->default_value(0), "seed for the image samples")(
      "threads", po::value(&threads)->default_value(0), "worker threads (0: all cores)");
  add_device_option(options, device);
  po::positional_options_description positional;
  positional.add("paper", 1);
  po::variables_map vm;
  const auto synopsis = fmt::format("<{}|all> [--fast] [--out DIR]", join(report::reproducible_papers(), "|"));
  if (!parse_options(ctx, "reproduce", synopsis, options, vm, &positional)) {
    return 0;
  }
  if (paper.empty()) {
    throw usage_error("vitdse reproduce: name a paper (" + join(report::reproducible_papers()) +
                      ") or all; see 'vitdse reproduce --help'");
  }
  ro.device = eval::parse_device(device);
  const auto papers = paper == "all" ? report::reproducible_papers() : std::vector<std::string>{paper};
  const auto thread_limit = limit_threads(threads);
  const std::string command_line = "vitdse reproduce " + join(ctx.args, " ");
  std::error_code ec;  // fail before the work, not after it
  std::filesystem::create_directories(out, ec);
  if (ec) throw Error("cannot create '" + out + "': " + ec.message());
  for (const auto& name : papers) {
    spdlog::info("reproducing {}{}", name, ro.fast ? " (fast)" : "");
    const auto report = report::reproduce_paper(name, ro);
    const auto files = report::write_paper_report(report, std::filesystem::path(out) / name, command_line);
    const auto n = report::count_predictions(report);
    ctx.out << name << ": " << report.tables.size() << " tables, " << report.plots.size() << " plots; " << n.within
            << " of " << n.scored << " predictions within tolerance; wrote " << files.front().string() << '\n';
  }
  return 0;
}

}  // namespace vitdse::cli

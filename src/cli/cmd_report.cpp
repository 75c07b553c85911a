// vitdse report: a search run, or a comparison, as one self-contained interactive HTML page.
#include <ostream>

#include "cli/options.hpp"
#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/report/run_report.hpp"

namespace vitdse::cli {

int report_command(Context& ctx) {
  po::options_description options("options");
  std::string dir, db, run, out, model, arch;
  options.add_options()("dir", po::value(&dir), "run directory of 'vitdse search', or a directory of 'vitdse compare'")(
      "db", po::value(&db), "read the run from this database instead of a directory")(
      "run", po::value(&run), "with --db: the run id (default: the latest run)")(
      "out", po::value(&out), "the HTML file (default: RUN_DIR/report.html; with --db, report-<run id>.html)")(
      "model", po::value(&model), "model card, where the run's was given by path (default: the run's)")(
      "arch", po::value(&arch), "accelerator template, where the run's was given by path (default: the run's)");
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (!parse_options(ctx, "report", "RUN_DIR [--out FILE] | --db F [--run ID] [--out FILE]", options, vm,
                     &positional)) {
    return 0;
  }
  report::RunReportSource source{dir, db, run, model, arch};
  const auto report = report::load_run_report(source);
  std::filesystem::path path = out;
  if (path.empty()) {
    path = db.empty() ? std::filesystem::path(dir) / "report.html"
                      : std::filesystem::path("report-" + report.runs.front().id + ".html");
  }
  write_file_atomically(path, report::render_html_report(report));
  ctx.out << "wrote " << path.string() << ": " << report.front.size() << " front designs, " << report.points.size()
          << " evaluations, " << report.runs.size() << (report.runs.size() == 1 ? " run" : " runs") << '\n';
  return 0;
}

}  // namespace vitdse::cli

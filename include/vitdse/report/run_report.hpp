// Gathering a report's data: a run directory, a comparison's directory, or a run in the database,
// with each front design's per-layer cost computed by the cost model.
#pragma once

#include <filesystem>
#include <string>

#include "vitdse/report/html_report.hpp"

namespace vitdse::report {

/// Where a report's run comes from: a directory (`vitdse search`'s run directory or `vitdse
/// compare`'s), or a database and a run id (empty: its latest run).
struct RunReportSource {
  std::filesystem::path dir;
  std::filesystem::path db;
  std::string run;
  std::string model;  ///< empty: the run's (a card given by path must be given again)
  std::string arch;   ///< empty: the run's
};

/// Reads the run(s), re-prices every front design on the run's model and template (checking that
/// the total energy and the design hash agree with what the run recorded) and returns the page's
/// data. Throws Error naming the file, run or design for anything missing or inconsistent.
///
///     const auto report = load_run_report({.dir = "runs/mcts-s0-51ac25b311"});
HtmlReport load_run_report(const RunReportSource& source);

}  // namespace vitdse::report

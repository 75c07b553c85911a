// A search run as one self-contained HTML page: the Pareto front against each cost objective,
// hypervolume against evaluations, each front design's per-layer assignment and energy, and the
// front as a sortable table. Rendering only: run_report.hpp gathers the data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/report/pareto_table.hpp"
#include "vitdse/search/objectives.hpp"

namespace vitdse::report {

/// One evaluation of a run, as all.csv (or the database) lists it.
struct ReportPoint {
  std::size_t run = 0;          ///< index into HtmlReport::runs
  std::int64_t evaluation = 0;  ///< 1-based, in the run's order
  std::string design_hash;
  search::Score score;
  bool feasible = true;  ///< meets every constraint of the run
};

/// One workload layer of a front design: its canonical settings and its share of the cost.
struct ReportLayer {
  std::string name;
  std::string settings;  ///< model::canonical_layer_json ("{}" for a layer with no fields)
  cost::LayerCost cost;
};

/// One row of a run's front, with the design's per-layer cost (computed when the report is made).
struct ReportDesign {
  std::size_t run = 0;  ///< index into HtmlReport::runs
  DesignRow row;
  std::vector<ReportLayer> layers;
};

/// A run the report covers (one, or every run of a comparison).
struct ReportRun {
  std::string id;
  std::string algorithm;
};

/// A hypervolume trace: its value after each evaluation, with an optional spread (over seeds).
struct ReportCurve {
  std::string name;
  std::vector<double> hypervolume;
  std::vector<double> lo, hi;  ///< empty, or as long as `hypervolume`
};

/// Everything the page shows; plain data, so that tests build one by hand.
struct HtmlReport {
  std::string title;
  std::string source;  ///< what it was made from (a directory, or a database and a run)
  std::string model, arch;
  std::vector<search::Metric> metrics;  ///< the run's objectives, as searched (minimised)
  std::vector<search::Constraint> constraints;
  double float_top1_pct = 0;
  std::vector<ReportRun> runs;
  std::vector<ReportPoint> points;  ///< every evaluation of every run
  std::vector<ReportDesign> front;  ///< the front's rows, in pareto.csv's order
  std::vector<ReportCurve> curves;  ///< hypervolume against evaluations
  std::string curve_note;           ///< how the curves were made (e.g. "median over 5 seeds")
  std::string front_csv;            ///< the front as CSV, offered for download
};

/// The page: inline SVG, CSS and vanilla JavaScript, no external resources. Every string from
/// the report is escaped for where it lands (HTML text, attributes, the embedded JSON).
///
///     write_file_atomically(dir / "report.html", render_html_report(load_run_report(source)));
std::string render_html_report(const HtmlReport& report);

/// The report's data as JSON (the page embeds it; tests parse it back).
nlohmann::json report_json(const HtmlReport& report);

/// `text` for HTML text and attribute values: & < > " ' as character references.
std::string html_escape(const std::string& text);
/// JSON text that is safe inside a <script> element: < > & and U+2028/2029 as \u escapes.
std::string script_safe_json(const nlohmann::json& value);

}  // namespace vitdse::report

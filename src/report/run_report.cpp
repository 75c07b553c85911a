// Reading a run directory, a comparison's directory or a stored run into a report's data, and
// pricing each front design layer by layer.
#include "vitdse/report/run_report.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/cost/arch.hpp"
#include "vitdse/model/card.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/report/search_job.hpp"
#include "vitdse/report/stored_front.hpp"
#include "vitdse/search/pareto_archive.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::report {

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read '" + path.string() + "'");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A CSV file by column name (RFC 4180: quoted fields, "" for a quote, separators inside quotes).
class CsvFile {
 public:
  explicit CsvFile(const fs::path& path) : path_(path) {
    if (!fs::is_regular_file(path)) throw Error("no file '" + path.string() + "'");
    text_ = read_text(path);
    parse();
    if (rows_.empty()) throw Error(path.string() + " is empty (no header)");
    header_ = std::move(rows_.front());
    rows_.erase(rows_.begin());
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].size() != header_.size()) {
        throw Error(path.string() + ": row " + std::to_string(i + 2) + " has " + std::to_string(rows_[i].size()) +
                    " fields, the header " + std::to_string(header_.size()));
      }
    }
  }

  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] std::size_t rows() const { return rows_.size(); }
  [[nodiscard]] const std::string& cell(std::size_t row, const std::string& column) const {
    return rows_.at(row).at(index(column));
  }
  [[nodiscard]] double number(std::size_t row, const std::string& column) const {
    return parse_double(cell(row, column), path_.string() + " row " + std::to_string(row + 2) + " " + column);
  }

 private:
  [[nodiscard]] std::size_t index(const std::string& column) const {
    const auto it = std::find(header_.begin(), header_.end(), column);
    if (it == header_.end()) throw Error(path_.string() + " has no column '" + column + "'");
    return static_cast<std::size_t>(it - header_.begin());
  }

  void parse() {
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false, at_start = true;
    for (std::size_t i = 0; i < text_.size(); ++i) {
      const char c = text_[i];
      if (quoted) {
        if (c != '"') {
          cell += c;
        } else if (i + 1 < text_.size() && text_[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else if (c == '"' && at_start) {
        quoted = true;
        at_start = false;
      } else if (c == ',' || c == '\n') {
        row.push_back(std::move(cell));
        cell.clear();
        at_start = true;
        if (c == '\n') rows_.push_back(std::move(row)), row.clear();
      } else if (c != '\r') {
        cell += c;
        at_start = false;
      }
    }
    if (quoted) throw Error(path_.string() + ": a quoted field is not closed");
    if (!at_start || !row.empty()) row.push_back(std::move(cell)), rows_.push_back(std::move(row));
  }

  fs::path path_;
  std::string text_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

/// A row's top-1 and cost figures, the columns all.csv and pareto.csv share.
search::Score objective_scores(const CsvFile& csv, std::size_t i) {
  search::Score s;
  s.top1_pct = csv.number(i, "top1_pct");
  s.energy_uJ = csv.number(i, "energy_uJ");
  s.area_mm2 = csv.number(i, "area_mm2");
  s.latency_ms = csv.number(i, "latency_ms");
  s.power_mW = csv.number(i, "power_mW");
  s.mult_power = csv.number(i, "mult_power");
  return s;
}

/// What a report needs of a run's resolved configuration (run.yaml, or the database's copy).
struct RunConfig {
  std::string id, algorithm, model, arch;
  std::vector<search::Metric> metrics;
  std::vector<search::Constraint> constraints;
  double float_top1_pct = 0;
  double drop_scale_pp = 10;
};

search::Metric metric_named(const std::string& name, const std::string& where) {
  for (const auto m :
       {search::Metric::top1_drop_pp, search::Metric::top1_pct, search::Metric::energy_uJ, search::Metric::area_mm2,
        search::Metric::latency_ms, search::Metric::power_mW, search::Metric::mult_power}) {
    if (search::to_string(m) == name) return m;
  }
  throw Error(where + " has an unknown objective '" + name + "'");
}

RunConfig parse_config(const std::string& text, const std::string& where) {
  RunConfig c;
  try {
    const YAML::Node y = YAML::Load(text);
    if (!y.IsMap()) throw Error(where + " is not a run's configuration (a YAML map)");
    c.id = y["id"].as<std::string>("");
    c.algorithm = algorithm_label(y["algorithm"].as<std::string>(""), y["screen_images"].as<std::size_t>(0));
    c.model = y["model"].as<std::string>("");
    c.arch = y["arch"].as<std::string>("");
    for (const auto& m : y["objectives"]) c.metrics.push_back(metric_named(m.as<std::string>(), where));
    for (const auto& k : y["constraints"]) c.constraints.push_back(search::parse_constraint(k.as<std::string>()));
    c.float_top1_pct = y["float_top1_pct"].as<double>(0.0);
    c.drop_scale_pp = y["drop_scale_pp"].as<double>(10.0);
  } catch (const YAML::Exception& e) {
    throw Error(where + " cannot be read: " + e.what());
  }
  if (c.model.empty() || c.arch.empty() || c.metrics.empty()) {
    throw Error(where + " lacks the run's model, arch or objectives");
  }
  return c;
}

bool feasible(const search::Score& s, const RunConfig& c) {
  return std::all_of(c.constraints.begin(), c.constraints.end(), [&](const search::Constraint& k) {
    return k.violation(search::metric_value(k.metric, s, c.float_top1_pct)) == 0;
  });
}

/// One run as a report reads it.
struct LoadedRun {
  RunConfig config;
  std::vector<ReportPoint> points;  ///< with run index 0, set when merged
  std::vector<DesignRow> front;
  std::vector<double> hv;
  std::string front_csv;
};

LoadedRun load_run_dir(const fs::path& dir) {
  LoadedRun run;
  const fs::path yaml = dir / "run.yaml";
  run.config = parse_config(read_text(yaml), yaml.string());
  if (run.config.id.empty()) run.config.id = dir.filename().string();

  const CsvFile all(dir / "all.csv");
  for (std::size_t i = 0; i < all.rows(); ++i) {
    ReportPoint p;
    p.evaluation = static_cast<std::int64_t>(all.number(i, "evaluation"));
    p.design_hash = all.cell(i, "design_hash");
    p.score = objective_scores(all, i);
    p.feasible = all.number(i, "feasible") != 0;
    run.points.push_back(std::move(p));
  }

  const CsvFile pareto(dir / "pareto.csv");
  run.front_csv = pareto.text();
  for (std::size_t i = 0; i < pareto.rows(); ++i) {
    DesignRow r;
    r.design_hash = pareto.cell(i, "design_hash");
    r.canonical = pareto.cell(i, "design");
    r.score = objective_scores(pareto, i);
    r.score.agreement_pct = pareto.number(i, "agreement_pct");
    r.score.kl_mean = pareto.number(i, "kl_mean_nats");
    if (!pareto.cell(i, "full_test_top1_pct").empty()) {
      search::Score full;
      full.top1_pct = pareto.number(i, "full_test_top1_pct");
      r.full_test = full;
    }
    run.front.push_back(std::move(r));
  }

  const CsvFile hv(dir / "hv.csv");
  for (std::size_t i = 0; i < hv.rows(); ++i) run.hv.push_back(hv.number(i, "hypervolume"));
  return run;
}

/// A run from the database: its points in visiting order, its front, and its hypervolume trace
/// replayed as the search computed it (normalised by the first point, feasible points archived).
LoadedRun load_stored_run(const fs::path& db_path, std::string id) {
  if (!fs::exists(db_path)) throw Error("no database '" + db_path.string() + "'; 'vitdse search' creates it");
  const store::Database db(db_path);
  if (id.empty()) {
    const auto runs = db.runs();
    if (runs.empty()) throw Error(db_path.string() + " holds no runs; start one with 'vitdse search'");
    id = runs.back().id;
  }
  const auto record = db.run(id);
  if (!record) throw Error("no run '" + id + "' in " + db_path.string() + "; 'vitdse runs' lists them");
  LoadedRun run;
  run.config = parse_config(record->config, "the configuration of run '" + id + "'");
  run.config.id = id;
  if (run.config.algorithm.empty()) run.config.algorithm = record->algo;

  const StoredFront stored = stored_front(db, {id});
  for (std::size_t i = 0; i < stored.rows.size(); ++i) {
    const auto& r = stored.rows[i];
    run.points.push_back({0, static_cast<std::int64_t>(i + 1), r.design_hash, r.score, feasible(r.score, run.config)});
  }
  for (const std::size_t i : stored.front) run.front.push_back(stored.rows[i]);
  run.front_csv = design_table(stored.rows, stored.front, stored.float_top1_pct).to_csv();
  if (!stored.rows.empty()) {
    const search::Objectives objectives(run.config.metrics, run.config.constraints, run.config.float_top1_pct,
                                        stored.rows.front().score, run.config.drop_scale_pp);
    search::ParetoArchive archive(run.config.metrics.size());
    for (std::size_t i = 0; i < stored.rows.size(); ++i) {
      const auto& s = stored.rows[i].score;
      if (objectives.violation(s) == 0) archive.add(i, objectives.normalised(s));
      run.hv.push_back(archive.hypervolume());
    }
  }
  return run;
}

/// A comparison's runs, in the order of its hv.csv (algorithm, then seed): `<algo>-s<seed>/`.
std::vector<fs::path> comparison_runs(const fs::path& dir) {
  const CsvFile hv(dir / "hv.csv");
  std::vector<fs::path> runs;
  for (std::size_t i = 0; i < hv.rows(); ++i) {
    const fs::path run = dir / (hv.cell(i, "algorithm") + "-s" + hv.cell(i, "seed"));
    if (std::find(runs.begin(), runs.end(), run) == runs.end()) runs.push_back(run);
  }
  if (runs.empty()) throw Error((dir / "hv.csv").string() + " lists no runs");
  return runs;
}

/// Per algorithm, the median hypervolume over its runs after each evaluation, with the spread
/// (a run that stopped early keeps its last value, as `vitdse compare` counts it).
std::vector<ReportCurve> median_curves(const std::vector<LoadedRun>& runs) {
  std::vector<std::string> algorithms;
  for (const auto& r : runs) {
    if (std::find(algorithms.begin(), algorithms.end(), r.config.algorithm) == algorithms.end())
      algorithms.push_back(r.config.algorithm);
  }
  std::vector<ReportCurve> curves;
  for (const auto& a : algorithms) {
    std::vector<const std::vector<double>*> traces;
    std::size_t length = 0;
    for (const auto& r : runs) {
      if (r.config.algorithm == a && !r.hv.empty()) traces.push_back(&r.hv), length = std::max(length, r.hv.size());
    }
    ReportCurve c;
    c.name = a;
    for (std::size_t e = 0; e < length; ++e) {
      std::vector<double> v;
      for (const auto* t : traces) v.push_back((*t)[std::min(e, t->size() - 1)]);
      std::sort(v.begin(), v.end());
      const std::size_t n = v.size();
      c.hypervolume.push_back(n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
      c.lo.push_back(v.front());
      c.hi.push_back(v.back());
    }
    curves.push_back(std::move(c));
  }
  return curves;
}

/// The run's model and template, loaded once, to price its designs layer by layer.
class Pricing {
 public:
  Pricing(const RunConfig& run, const RunReportSource& source) {
    const std::string model = source.model.empty() ? run.model : source.model;
    const std::string arch = source.arch.empty() ? run.arch : source.arch;
    try {
      workload_ = std::make_unique<model::Workload>(model::load_model_card(model));
    } catch (const Error& e) {
      throw Error("cannot load model '" + model + "' of run '" + run.id + "' (" + e.what() +
                  "); a card given by path needs --model PATH");
    }
    try {
      cost_ = std::make_unique<cost::CostModel>(*workload_, cost::load_arch(arch));
    } catch (const Error& e) {
      throw Error("cannot load template '" + arch + "' of run '" + run.id + "' (" + e.what() +
                  "); a template given by path needs --arch PATH");
    }
  }

  [[nodiscard]] const std::string& model_name() const { return workload_->card().name; }
  [[nodiscard]] const std::string& arch_name() const { return cost_->arch().name; }

  /// The design's layers with their costs; throws where the run recorded another hash or energy.
  [[nodiscard]] std::vector<ReportLayer> layers(const DesignRow& row, const std::string& run_id) const {
    const std::string where = "design " + row.design_hash + " of run '" + run_id + "'";
    model::Design design;
    try {
      design = model::parse_design(row.canonical, where, *workload_);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (was the run made on another model? give it with --model)");
    }
    const std::string hash = model::design_hash(design, *workload_);
    if (hash != row.design_hash) {
      throw Error(where + " hashes to " + hash + " on model '" + model_name() +
                  "'; the run was made on another model (give it with --model)");
    }
    std::vector<cost::LayerCost> costs;
    const cost::CostReport report = cost_->evaluate(design, costs);
    const double total = report.energy.total_uJ(), recorded = row.score.energy_uJ;
    if (!(std::abs(total - recorded) <= 1e-9 * std::max(1.0, std::abs(recorded)))) {
      throw Error(where + " recorded " + format_number(recorded, 10) + " uJ, but template '" + arch_name() +
                  "' prices it at " + format_number(total, 10) +
                  " uJ; give the run's template with --arch (or the cost model has changed since the run)");
    }
    std::vector<ReportLayer> out;
    for (std::size_t i = 0; i < costs.size(); ++i) {
      out.push_back({workload_->layers().at(i).name, model::canonical_layer_json(design, *workload_, i), costs[i]});
    }
    return out;
  }

 private:
  std::unique_ptr<model::Workload> workload_;  // the cost model refers to it
  std::unique_ptr<cost::CostModel> cost_;
};

/// The runs merged into one report (a comparison's share their model, template and objectives).
HtmlReport merge(std::vector<LoadedRun> runs, const RunReportSource& source) {
  const RunConfig& first = runs.front().config;
  for (const auto& r : runs) {
    if (r.config.model != first.model || r.config.arch != first.arch || r.config.metrics != first.metrics) {
      throw Error("runs '" + first.id + "' and '" + r.config.id +
                  "' differ in model, template or objectives, so one report cannot show both");
    }
  }
  const Pricing pricing(first, source);
  HtmlReport report;
  report.model = pricing.model_name();
  report.arch = pricing.arch_name();
  report.metrics = first.metrics;
  report.constraints = first.constraints;
  report.float_top1_pct = first.float_top1_pct;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    auto& run = runs[k];
    report.runs.push_back({run.config.id, run.config.algorithm});
    for (auto& p : run.points) {
      p.run = k;
      report.points.push_back(std::move(p));
    }
    for (auto& row : run.front) {
      auto layers = pricing.layers(row, run.config.id);
      report.front.push_back({k, std::move(row), std::move(layers)});
    }
  }
  return report;
}

/// The report of one run, from `where` (a directory or a database's run).
HtmlReport single_run_report(LoadedRun run, const std::string& where, const RunReportSource& source) {
  const std::string id = run.config.id, csv = run.front_csv;
  ReportCurve curve{run.config.algorithm, run.hv, {}, {}};
  std::vector<LoadedRun> runs;
  runs.push_back(std::move(run));
  HtmlReport report = merge(std::move(runs), source);
  report.title = "vitdse search run " + id;
  report.source = where;
  report.curves.push_back(std::move(curve));
  report.front_csv = csv;
  return report;
}

}  // namespace

HtmlReport load_run_report(const RunReportSource& source) {
  if (!source.db.empty()) {
    if (!source.dir.empty()) throw usage_error("give a run directory or --db, not both");
    LoadedRun run = load_stored_run(source.db, source.run);
    const std::string where = "run " + run.config.id + " in " + source.db.string();
    return single_run_report(std::move(run), where, source);
  }
  if (!source.run.empty()) throw usage_error("--run needs --db; a run directory names its run");
  const fs::path& dir = source.dir;
  if (dir.empty()) throw usage_error("give a run directory, or --db F [--run ID]");
  if (!fs::is_directory(dir)) {
    throw Error(fs::exists(dir) ? "'" + dir.string() + "' is not a directory"
                                : "no run directory '" + dir.string() + "'");
  }

  if (fs::exists(dir / "run.yaml")) {
    return single_run_report(load_run_dir(dir), dir.string(), source);
  }
  if (!fs::exists(dir / "summary.csv")) {
    throw Error("'" + dir.string() +
                "' is neither a run directory (no run.yaml) nor a comparison's (no summary.csv); 'vitdse search' and "
                "'vitdse compare' write them");
  }
  std::vector<LoadedRun> runs;
  for (const auto& run_dir : comparison_runs(dir)) {
    if (!fs::exists(run_dir / "run.yaml")) {
      throw Error("comparison '" + dir.string() + "' lists run '" + run_dir.filename().string() +
                  "', but it has no run.yaml");
    }
    runs.push_back(load_run_dir(run_dir));
  }
  std::vector<ReportCurve> curves = median_curves(runs);
  // The merged front as CSV: every run's rows, each with its run.
  const auto seeds = runs.size() / std::max<std::size_t>(1, curves.size());
  HtmlReport report = merge(std::move(runs), source);
  {
    std::vector<Column> columns{{"run", "run"}};
    std::vector<DesignRow> rows;
    std::vector<std::size_t> which;
    for (const auto& d : report.front) rows.push_back(d.row), which.push_back(which.size());
    const Table table = design_table(rows, which, report.float_top1_pct);
    columns.insert(columns.end(), table.columns().begin(), table.columns().end());
    Table merged(columns);
    for (std::size_t i = 0; i < report.front.size(); ++i) {
      std::vector<Cell> cells{report.runs[report.front[i].run].id};
      cells.insert(cells.end(), table.cells()[i].begin(), table.cells()[i].end());
      merged.add(std::move(cells));
    }
    report.front_csv = merged.to_csv();
  }
  std::string name = dir.filename().string();
  if (name.empty() || name == ".") name = dir.parent_path().filename().string();
  report.title = "vitdse comparison " + name;
  report.source = dir.string();
  report.curves = std::move(curves);
  report.curve_note =
      "median over " + std::to_string(seeds) + " seed" + (seeds == 1 ? "" : "s") + ", min to max shaded";
  return report;
}

}  // namespace vitdse::report

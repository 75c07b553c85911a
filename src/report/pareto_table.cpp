// Pareto fronts and search traces as tables.
#include "vitdse/report/pareto_table.hpp"

#include <algorithm>
#include <numeric>

namespace vitdse::report {

namespace {

std::vector<double> values(const search::Score& s, const std::vector<search::Metric>& metrics, double float_top1) {
  std::vector<double> v;
  for (const auto m : metrics) v.push_back(search::metric_value(m, s, float_top1));
  return v;
}

}  // namespace

std::vector<std::size_t> pareto_front(const std::vector<DesignRow>& rows, const std::vector<search::Metric>& metrics,
                                      const std::vector<search::Constraint>& constraints, double float_top1_pct) {
  std::vector<std::vector<double>> v;
  std::vector<std::size_t> feasible;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    v.push_back(values(rows[i].score, metrics, float_top1_pct));
    bool ok = true;
    for (const auto& c : constraints) {
      ok = ok && c.violation(search::metric_value(c.metric, rows[i].score, float_top1_pct)) == 0;
    }
    if (ok) feasible.push_back(i);
  }
  std::vector<std::size_t> front;
  for (const std::size_t i : feasible) {
    bool kept = true;
    for (const std::size_t j : feasible) {
      if (search::dominates(v[j], v[i]) || (j < i && v[j] == v[i])) {
        kept = false;
        break;
      }
    }
    if (kept) front.push_back(i);
  }
  std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  return front;
}

Table design_table(const std::vector<DesignRow>& rows, const std::vector<std::size_t>& which, double float_top1_pct,
                   bool with_design) {
  std::vector<Column> columns{{"design_hash", "design"},
                              {"top1_pct", "top-1 %"},
                              {"top1_drop_pp", "drop pp"},
                              {"energy_uJ", "energy uJ"},
                              {"area_mm2", "area mm2"},
                              {"latency_ms", "latency ms"},
                              {"power_mW", "power mW"},
                              {"mult_power", "mult power"},
                              {"agreement_pct", "agreement %"},
                              {"kl_mean_nats", "KL nats"},
                              {"full_test_top1_pct", "full-test top-1 %"}};
  if (with_design) columns.push_back({"design", "canonical design"});
  Table t(std::move(columns));
  for (const std::size_t i : which) {
    const auto& r = rows[i];
    const auto& s = r.score;
    std::vector<Cell> row{r.design_hash,
                          s.top1_pct,
                          float_top1_pct - s.top1_pct,
                          s.energy_uJ,
                          s.area_mm2,
                          s.latency_ms,
                          s.power_mW,
                          s.mult_power,
                          s.agreement_pct,
                          s.kl_mean,
                          r.full_test ? Cell(r.full_test->top1_pct) : Cell(std::string())};
    if (with_design) row.emplace_back(r.canonical);
    t.add(std::move(row));
  }
  return t;
}

Table evaluations_table(const search::SearchRun& run) {
  Table t({{"evaluation", "#"},
           {"design_hash", "design"},
           {"top1_pct", "top-1 %"},
           {"energy_uJ", "energy uJ"},
           {"area_mm2", "area mm2"},
           {"latency_ms", "latency ms"},
           {"power_mW", "power mW"},
           {"mult_power", "mult power"},
           {"feasible", "feasible"},
           {"on_front", "on front"},
           {"cached", "cached"},
           {"images", "images"},
           {"eval_s", "eval s"},
           {"design", "canonical design"}});
  const auto& ids = run.archive().ids();
  const auto& evals = run.evaluations();
  for (std::size_t i = 0; i < evals.size(); ++i) {
    const auto& e = evals[i];
    const bool on_front = std::find(ids.begin(), ids.end(), i) != ids.end();
    t.add({static_cast<std::int64_t>(i + 1), e.candidate.hash, e.score.top1_pct, e.score.energy_uJ, e.score.area_mm2,
           e.score.latency_ms, e.score.power_mW, e.score.mult_power, std::int64_t{e.feasible()}, std::int64_t{on_front},
           std::int64_t{e.cached}, static_cast<std::int64_t>(e.images), e.score.eval_s, e.candidate.canonical});
  }
  return t;
}

Table hypervolume_table(const search::SearchRun& run) {
  Table t({{"evaluation", "#"},
           {"full_evaluations", "full"},
           {"images_scored", "images"},
           {"hypervolume", "hypervolume"},
           {"archive_size", "archive"}});
  for (std::size_t i = 0; i < run.hv_trace().size(); ++i) {
    t.add({static_cast<std::int64_t>(i + 1), run.full_trace()[i], run.images_trace()[i], run.hv_trace()[i],
           static_cast<std::int64_t>(run.archive_trace()[i])});
  }
  return t;
}

}  // namespace vitdse::report

// Comparing search algorithms by hypervolume against evaluations.
#include "vitdse/report/compare.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/report/svg_plot.hpp"

namespace vitdse::report {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// The trace's value after `evaluations` (a run that stopped early keeps its last value).
double at(const std::vector<double>& trace, std::size_t evaluations) {
  if (trace.empty()) return 0.0;
  return trace[std::min(evaluations, trace.size()) - 1];
}

}  // namespace

CompareResult compare_algorithms(const CompareOptions& o, const std::atomic<bool>* stop) {
  if (o.seeds < 1) throw usage_error("--seeds must be at least 1");
  if (o.algorithms.empty()) throw usage_error("--algos must name at least one algorithm");
  CompareResult result;
  result.out = o.out.empty() ? std::filesystem::path("runs") / ("compare-b" + std::to_string(o.job.budget)) : o.out;
  std::error_code ec;
  std::filesystem::create_directories(result.out, ec);
  if (ec) throw Error("cannot create the comparison's directory '" + result.out.string() + "': " + ec.message());
  Table traces({{"algorithm", "algorithm"}, {"seed", "seed"}, {"evaluation", "#"}, {"hypervolume", "hypervolume"}});
  const auto budget = static_cast<std::size_t>(o.job.budget);
  for (const auto algorithm : o.algorithms) {
    AlgorithmSummary s;
    s.algorithm = algorithm;
    std::vector<std::vector<double>> runs;
    for (int k = 0; k < o.seeds && !result.interrupted; ++k) {
      SearchJobOptions job = o.job;
      job.algorithm = algorithm;
      job.algorithm_options.seed = o.job.algorithm_options.seed + static_cast<std::uint64_t>(k);
      job.final_images = 0;  // a comparison measures the search, not the front's full-test accuracy
      job.out = result.out / (search::to_string(algorithm) + "-s" + std::to_string(job.algorithm_options.seed));
      spdlog::info("compare: {} seed {} ({}/{})", search::to_string(algorithm), job.algorithm_options.seed, k + 1,
                   o.seeds);
      const auto r = run_search_job(job, stop);
      result.interrupted = r.status != "done";
      for (std::size_t i = 0; i < r.hv_trace.size(); ++i) {
        traces.add({search::to_string(algorithm), static_cast<std::int64_t>(job.algorithm_options.seed),
                    static_cast<std::int64_t>(i + 1), r.hv_trace[i]});
      }
      s.final_hv.push_back(r.hypervolume);
      runs.push_back(r.hv_trace);
    }
    for (std::size_t e = 1; e <= budget; ++e) {
      std::vector<double> v;
      for (const auto& t : runs) v.push_back(at(t, e));
      s.median_trace.push_back(median(v));
      s.min_trace.push_back(v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()));
      s.max_trace.push_back(v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
    }
    s.median = median(s.final_hv);
    s.min = s.final_hv.empty() ? 0 : *std::min_element(s.final_hv.begin(), s.final_hv.end());
    s.max = s.final_hv.empty() ? 0 : *std::max_element(s.final_hv.begin(), s.final_hv.end());
    result.algorithms.push_back(std::move(s));
    if (result.interrupted) break;
  }
  std::vector<Series> series;
  for (const auto& a : result.algorithms) {
    Series s;
    s.name = search::to_string(a.algorithm);
    for (std::size_t e = 1; e <= budget; ++e) {
      s.x.push_back(static_cast<double>(e));
      s.y.push_back(a.median_trace[e - 1]);
    }
    s.lo = a.min_trace;  // the spread over seeds, as a band under the median
    s.hi = a.max_trace;
    series.push_back(std::move(s));
  }
  write_file_atomically(result.out / "hv.csv", traces.to_csv());
  write_file_atomically(result.out / "summary.csv", compare_table(result, o.job.budget).to_csv());
  PlotOptions plot;
  plot.title = "hypervolume against evaluations (median over " + std::to_string(o.seeds) + " seeds)";
  plot.x_label = "evaluations";
  plot.y_label = "hypervolume (normalised)";
  write_file_atomically(result.out / "hv.svg", svg_plot(series, plot));
  return result;
}

Table compare_table(const CompareResult& result, std::int64_t budget) {
  Table t({{"algorithm", "algorithm"},
           {"seeds", "seeds"},
           {"hv_median", "final HV median"},
           {"hv_min", "min"},
           {"hv_max", "max"},
           {"evals_to_best_other", "evals to best other's median"},
           {"budget_share_to_best_other_pct", "% of budget"}});
  for (const auto& a : result.algorithms) {
    double target = 0;  // the best final median among the other algorithms
    for (const auto& b : result.algorithms) {
      if (&b != &a) target = std::max(target, b.median);
    }
    std::optional<std::size_t> reached;
    for (std::size_t e = 0; target > 0 && e < a.median_trace.size() && !reached; ++e) {
      if (a.median_trace[e] >= target) reached = e + 1;
    }
    Cell evaluations = std::string(target > 0 ? "never" : "n/a"), share = std::string();
    if (reached) {
      evaluations = static_cast<std::int64_t>(*reached);
      share = 100.0 * static_cast<double>(*reached) / static_cast<double>(budget);
    }
    t.add({search::to_string(a.algorithm), static_cast<std::int64_t>(a.final_hv.size()), a.median, a.min, a.max,
           evaluations, share});
  }
  return t;
}

}  // namespace vitdse::report

// Comparing search algorithms by hypervolume against evaluations.
#include "vitdse/report/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

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

/// The run's hypervolume after its `full`-th full evaluation (a run that stopped early keeps its
/// last value; screened-out points in between change nothing).
double hv_after(const RunTrace& t, std::int64_t full) {
  if (t.hv.empty()) return 0.0;
  const auto it = std::lower_bound(t.full.begin(), t.full.end(), full);
  return it == t.full.end() ? t.hv.back() : t.hv[static_cast<std::size_t>(it - t.full.begin())];
}

/// The run's hypervolume once it has scored at most `images` images.
double hv_within(const RunTrace& t, std::int64_t images) {
  const auto it = std::upper_bound(t.images.begin(), t.images.end(), images);
  return it == t.images.begin() ? 0.0 : t.hv[static_cast<std::size_t>(it - t.images.begin()) - 1];
}

/// Images the run had scored when its hypervolume first reached `target` (infinity: never).
double images_to(const RunTrace& t, double target) {
  for (std::size_t i = 0; i < t.hv.size(); ++i) {
    if (t.hv[i] >= target) return static_cast<double>(t.images[i]);
  }
  return std::numeric_limits<double>::infinity();
}

double median_final_images(const AlgorithmSummary& a) {
  std::vector<double> v;
  for (const auto& r : a.runs) v.push_back(r.images.empty() ? 0.0 : static_cast<double>(r.images.back()));
  return median(v);
}

/// Median, min and max over seeds of `value(run)` at x = 1..n.
template <typename Value>
void spread(const std::vector<RunTrace>& runs, std::size_t n, Value value, std::vector<double>& med,
            std::vector<double>& lo, std::vector<double>& hi) {
  for (std::size_t x = 1; x <= n; ++x) {
    std::vector<double> v;
    for (const auto& t : runs) v.push_back(value(t, static_cast<std::int64_t>(x)));
    med.push_back(median(v));
    lo.push_back(v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()));
    hi.push_back(v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()));
  }
}

}  // namespace

std::string AlgorithmSummary::name() const { return algorithm_label(search::to_string(algorithm), screen_images); }

CompareResult compare_algorithms(const CompareOptions& o, const std::atomic<bool>* stop) {
  if (o.seeds < 1) throw usage_error("--seeds must be at least 1");
  if (o.algorithms.empty()) throw usage_error("--algos must name at least one algorithm");
  CompareResult result;
  result.out = o.out.empty() ? std::filesystem::path("runs") / ("compare-b" + std::to_string(o.job.budget)) : o.out;
  std::error_code ec;
  std::filesystem::create_directories(result.out, ec);
  if (ec) throw Error("cannot create the comparison's directory '" + result.out.string() + "': " + ec.message());
  Table traces({{"algorithm", "algorithm"},
                {"seed", "seed"},
                {"evaluation", "#"},
                {"full_evaluations", "full"},
                {"images_scored", "images"},
                {"hypervolume", "hypervolume"}});
  const auto budget = static_cast<std::size_t>(o.job.budget);
  std::vector<std::size_t> settings{0};
  if (o.screen_images > 0) settings.push_back(o.screen_images);
  for (const std::size_t screen : settings) {
    for (const auto algorithm : o.algorithms) {
      AlgorithmSummary s;
      s.algorithm = algorithm;
      s.screen_images = screen;
      for (int k = 0; k < o.seeds && !result.interrupted; ++k) {
        SearchJobOptions job = o.job;
        job.algorithm = algorithm;
        job.screen_images = screen;
        job.algorithm_options.seed = o.job.algorithm_options.seed + static_cast<std::uint64_t>(k);
        job.final_images = 0;  // a comparison measures the search, not the front's full-test accuracy
        job.out = result.out / (s.name() + "-s" + std::to_string(job.algorithm_options.seed));
        spdlog::info("compare: {} seed {} ({}/{})", s.name(), job.algorithm_options.seed, k + 1, o.seeds);
        const auto r = run_search_job(job, stop);
        result.interrupted = r.status != "done";
        for (std::size_t i = 0; i < r.hv_trace.size(); ++i) {
          traces.add({s.name(), static_cast<std::int64_t>(job.algorithm_options.seed), static_cast<std::int64_t>(i + 1),
                      r.full_trace[i], r.images_trace[i], r.hv_trace[i]});
        }
        s.final_hv.push_back(r.hypervolume);
        s.runs.push_back({r.hv_trace, r.full_trace, r.images_trace});
      }
      spread(s.runs, budget, hv_after, s.median_trace, s.min_trace, s.max_trace);
      s.median = median(s.final_hv);
      s.min = s.final_hv.empty() ? 0 : *std::min_element(s.final_hv.begin(), s.final_hv.end());
      s.max = s.final_hv.empty() ? 0 : *std::max_element(s.final_hv.begin(), s.final_hv.end());
      result.algorithms.push_back(std::move(s));
      if (result.interrupted) break;
    }
    if (result.interrupted) break;
  }
  auto series_of = [&](auto x_of, auto y_of) {
    std::vector<Series> series;
    for (const auto& a : result.algorithms) {
      Series s;
      s.name = a.name();
      x_of(a, s);
      y_of(a, s);
      series.push_back(std::move(s));
    }
    return series;
  };
  const auto by_evaluation = series_of(
      [&](const AlgorithmSummary&, Series& s) {
        for (std::size_t e = 1; e <= budget; ++e) s.x.push_back(static_cast<double>(e));
      },
      [&](const AlgorithmSummary& a, Series& s) {
        s.y = a.median_trace;
        s.lo = a.min_trace;  // the spread over seeds, as a band under the median
        s.hi = a.max_trace;
      });
  write_file_atomically(result.out / "hv.csv", traces.to_csv());
  write_file_atomically(result.out / "summary.csv", compare_table(result, o.job.budget).to_csv());
  PlotOptions plot;
  plot.title = "hypervolume against full evaluations (median over " + std::to_string(o.seeds) + " seeds)";
  plot.x_label = "evaluations scored in full";
  plot.y_label = "hypervolume (normalised)";
  write_file_atomically(result.out / "hv.svg", svg_plot(by_evaluation, plot));
  if (o.screen_images > 0) {
    // Against images scored, in steps of one full evaluation's images, up to the most any run scored.
    std::int64_t step = 1, most = 0;
    for (const auto& a : result.algorithms) {
      for (const auto& r : a.runs) {
        if (!r.images.empty()) step = r.images.front(), most = std::max(most, r.images.back());
      }
    }
    const auto points = static_cast<std::size_t>(most / step);
    const auto by_images = series_of(
        [&](const AlgorithmSummary&, Series& s) {
          for (std::size_t i = 1; i <= points; ++i) s.x.push_back(static_cast<double>(i) * static_cast<double>(step));
        },
        [&](const AlgorithmSummary& a, Series& s) {
          spread(
              a.runs, points, [&](const RunTrace& t, std::int64_t i) { return hv_within(t, i * step); }, s.y, s.lo,
              s.hi);
        });
    plot.title = "hypervolume against images scored (median over " + std::to_string(o.seeds) + " seeds)";
    plot.x_label = "test images scored";
    write_file_atomically(result.out / "hv_images.svg", svg_plot(by_images, plot));
  }
  return result;
}

Table compare_table(const CompareResult& result, std::int64_t budget) {
  const bool screened = std::any_of(result.algorithms.begin(), result.algorithms.end(),
                                    [](const AlgorithmSummary& a) { return a.screen_images > 0; });
  std::vector<Column> columns{{"algorithm", "algorithm"},
                              {"seeds", "seeds"},
                              {"hv_median", "final HV median"},
                              {"hv_min", "min"},
                              {"hv_max", "max"},
                              {"evals_to_best_other", "evals to best other's median"},
                              {"budget_share_to_best_other_pct", "% of budget"},
                              {"images_median", "images scored"}};
  if (screened) {
    columns.push_back({"hv_of_full_pct", "HV % of full's"});
    columns.push_back({"images_to_full_hv", "images to full's HV -1%"});
    columns.push_back({"images_saving", "x fewer images"});
  }
  Table t(std::move(columns));
  for (const auto& a : result.algorithms) {
    double target = 0;                       // the best final median among the other algorithms of the same setting
    const AlgorithmSummary* full = nullptr;  // the same algorithm scored in full
    for (const auto& b : result.algorithms) {
      if (&b != &a && b.screen_images == a.screen_images) target = std::max(target, b.median);
      if (b.algorithm == a.algorithm && b.screen_images == 0) full = &b;
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
    std::vector<Cell> row{a.name(), static_cast<std::int64_t>(a.final_hv.size()),
                          a.median, a.min,
                          a.max,    evaluations,
                          share,    median_final_images(a)};
    if (screened) {
      if (a.screen_images > 0 && full != nullptr && full->median > 0) {
        std::vector<double> images;
        for (const auto& r : a.runs) images.push_back(images_to(r, 0.99 * full->median));
        const double to_full = median(images);
        row.push_back(100 * a.median / full->median);
        if (std::isinf(to_full)) {
          row.insert(row.end(), {std::string("never"), std::string()});
        } else {
          row.insert(row.end(), {to_full, median_final_images(*full) / to_full});
        }
      } else {
        row.insert(row.end(), {std::string(), std::string(), std::string()});
      }
    }
    t.add(std::move(row));
  }
  return t;
}

}  // namespace vitdse::report

// Rendering a run's report as one self-contained HTML page: SVG drawn here, data embedded as
// JSON, and the script and style of html_report_assets.cpp.
#include "vitdse/report/html_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include <spdlog/fmt/fmt.h>

#include "html_report_assets.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/report/svg_plot.hpp"

namespace vitdse::report {

namespace {

// The palette of svg_plot, so that a run's front has its hypervolume curve's colour.
constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};

std::string metric_label(search::Metric m) {
  switch (m) {
    case search::Metric::top1_drop_pp:
      return "top-1 drop (pp)";
    case search::Metric::top1_pct:
      return "top-1 (%)";
    case search::Metric::energy_uJ:
      return "energy per inference (uJ)";
    case search::Metric::area_mm2:
      return "area (mm2)";
    case search::Metric::latency_ms:
      return "latency (ms)";
    case search::Metric::power_mW:
      return "chip power (mW)";
    case search::Metric::mult_power:
      return "multiplier power (relative to exact)";
  }
  return search::to_string(m);
}

/// The cost objectives: every objective but accuracy, each one plot's x axis.
std::vector<search::Metric> cost_metrics_of(const HtmlReport& r) {
  std::vector<search::Metric> out;
  for (const auto m : r.metrics) {
    if (m != search::Metric::top1_drop_pp && m != search::Metric::top1_pct) out.push_back(m);
  }
  return out;
}

/// The name a run is grouped by: its algorithm (a comparison's curves are per algorithm).
std::string group_of(const ReportRun& run) { return run.algorithm.empty() ? run.id : run.algorithm; }

/// Each run's colour: that of its algorithm's hypervolume curve (curves follow the runs' order).
std::vector<std::string> run_colours(const HtmlReport& r) {
  std::vector<std::string> groups, colours;
  for (const auto& run : r.runs) {
    const auto g = group_of(run);
    auto it = std::find(groups.begin(), groups.end(), g);
    if (it == groups.end()) it = groups.insert(groups.end(), g);
    colours.emplace_back(kPalette[static_cast<std::size_t>(it - groups.begin()) % std::size(kPalette)]);
  }
  return colours;
}

/// A number for an attribute or a table cell: short, and finite or empty.
std::string short_number(double v) { return std::isfinite(v) ? format_number(v, 6) : std::string(); }

struct Span {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  void pad() {
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (!(hi > lo)) lo -= 0.5, hi += 0.5;
    const double margin = (hi - lo) * 0.05;
    lo -= margin, hi += margin;
  }
};

/// Top-1 against one cost metric: every evaluation (feasible dots, infeasible crosses), each
/// run's front on top (one `front-pt` marker per front row), and for two objectives the front's
/// staircase. Markers carry their index into the embedded data (data-p, data-f).
std::string scatter_svg(const HtmlReport& r, search::Metric metric) {
  const auto x_of = [&](const search::Score& s) { return search::metric_value(metric, s, r.float_top1_pct); };
  Span xs, ys;
  for (const auto& p : r.points) xs.add(x_of(p.score)), ys.add(p.score.top1_pct);
  for (const auto& d : r.front) xs.add(x_of(d.row.score)), ys.add(d.row.score.top1_pct);
  xs.pad();
  ys.pad();
  constexpr double kWidth = 640, kHeight = 420, kLeft = 64, kRight = 16, kTop = 14, kBottom = 46;
  const double w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
  const auto px = [&](double x) { return kLeft + (x - xs.lo) / (xs.hi - xs.lo) * w; };
  const auto py = [&](double y) { return kTop + h - (y - ys.lo) / (ys.hi - ys.lo) * h; };
  const auto colours = run_colours(r);
  const auto colour_of = [&](std::size_t run) {
    return run < colours.size() ? colours[run] : std::string(kPalette[0]);
  };

  std::string svg = fmt::format(
      "<svg class=\"scatter\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" role=\"img\" "
      "aria-label=\"top-1 against {}\">\n",
      kWidth, kHeight, html_escape(metric_label(metric)));
  for (const double t : axis_ticks(xs.lo, xs.hi, 6)) {
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        px(t), kTop, kTop + h, kTop + h + 16, format_number(t, 4));
  }
  for (const double t : axis_ticks(ys.lo, ys.hi, 6)) {
    svg += fmt::format(
        "<line class=\"grid\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        kLeft, py(t), kLeft + w, kLeft - 6, py(t) + 4, format_number(t, 4));
  }
  svg += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", kLeft, kTop, w, h);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", kLeft + w / 2, kHeight - 10,
                     html_escape(metric_label(metric)));
  svg += fmt::format(
      "<text x=\"14\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {0})\">top-1 (%, evaluation "
      "slice)</text>\n",
      kTop + h / 2);

  svg += "<g class=\"points\">\n";
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const auto& p = r.points[i];
    const double x = x_of(p.score), y = p.score.top1_pct;
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    if (p.feasible) {
      svg += fmt::format("<circle class=\"pt\" data-p=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", i,
                         px(x), py(y), r.runs.size() > 1 ? colour_of(p.run) : std::string("#888"));
    } else {
      svg += fmt::format("<path class=\"pt infeasible\" data-p=\"{0}\" d=\"M{1:.1f} {2:.1f}l6 6m0 -6l-6 6\"/>\n", i,
                         px(x) - 3, py(y) - 3);
    }
  }
  svg += "</g>\n";

  if (r.metrics.size() == 2) {  // then the front is a staircase in this plane
    for (std::size_t run = 0; run < r.runs.size(); ++run) {
      std::vector<std::pair<double, double>> xy;
      for (const auto& d : r.front) {
        if (d.run == run && std::isfinite(x_of(d.row.score))) xy.emplace_back(x_of(d.row.score), d.row.score.top1_pct);
      }
      if (xy.size() < 2) continue;
      std::sort(xy.begin(), xy.end());
      std::string line = fmt::format("{:.1f},{:.1f}", px(xy[0].first), py(xy[0].second));
      for (std::size_t k = 1; k < xy.size(); ++k) {
        line += fmt::format(" {:.1f},{:.1f} {:.1f},{:.1f}", px(xy[k].first), py(xy[k - 1].second), px(xy[k].first),
                            py(xy[k].second));
      }
      svg += fmt::format("<polyline class=\"stairs\" points=\"{}\" stroke=\"{}\"/>\n", line, colour_of(run));
    }
  }

  svg += "<g class=\"front\">\n";
  for (std::size_t j = 0; j < r.front.size(); ++j) {
    const auto& d = r.front[j];
    const double x = x_of(d.row.score), y = d.row.score.top1_pct;
    // A marker for every front row; one without a finite figure sits on the frame's corner.
    const double cx = std::isfinite(x) ? px(x) : kLeft, cy = std::isfinite(y) ? py(y) : kTop + h;
    svg += fmt::format("<circle class=\"front-pt\" data-f=\"{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5.5\" fill=\"{}\"/>\n",
                       j, cx, cy, colour_of(d.run));
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

/// The hypervolume curves through svg_plot (which draws each curve's spread as a band).
std::string hypervolume_svg(const HtmlReport& r) {
  std::vector<Series> series;
  for (const auto& c : r.curves) {
    Series s;
    s.name = c.name;
    s.y = c.hypervolume;
    for (std::size_t i = 0; i < c.hypervolume.size(); ++i) s.x.push_back(static_cast<double>(i + 1));
    if (c.lo.size() == c.hypervolume.size() && c.hi.size() == c.hypervolume.size()) s.lo = c.lo, s.hi = c.hi;
    series.push_back(std::move(s));
  }
  PlotOptions o;
  o.title = "hypervolume against evaluations" + (r.curve_note.empty() ? "" : " (" + r.curve_note + ")");
  o.x_label = "evaluations";
  o.y_label = "hypervolume (normalised)";
  std::string svg = svg_plot(series, o);
  // The plot's own width and height give way to the page's layout.
  const auto at = svg.find(" width=\"");
  if (at != std::string::npos) svg.insert(at, " class=\"hv\"");
  return svg;
}

std::string percent_encode(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (std::isalnum(b) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", b);
    }
  }
  return out;
}

/// The front as a table whose headers sort it (the script); each row names its front index.
std::string front_table(const HtmlReport& r) {
  const bool several = r.runs.size() > 1;
  bool full_test = false;
  for (const auto& d : r.front) full_test = full_test || d.row.full_test.has_value();
  struct Col {
    std::string label;
    bool numeric;
  };
  std::vector<Col> cols{{"#", true}};
  if (several) cols.push_back({"run", false});
  for (const auto& c : std::vector<Col>{{"design", false},
                                        {"top-1 %", true},
                                        {"drop pp", true},
                                        {"energy uJ", true},
                                        {"area mm2", true},
                                        {"latency ms", true},
                                        {"power mW", true},
                                        {"mult power", true}})
    cols.push_back(c);
  if (full_test) cols.push_back({"full-test top-1 %", true});

  std::string html = "<table id=\"front-table\" class=\"sortable\">\n<thead><tr>";
  for (const auto& c : cols) {
    html += fmt::format("<th data-type=\"{}\" tabindex=\"0\" title=\"sort\">{}</th>", c.numeric ? "num" : "text",
                        html_escape(c.label));
  }
  html += "</tr></thead>\n<tbody>\n";
  const auto num = [](double v) {
    const std::string s = short_number(v);
    return fmt::format("<td data-v=\"{}\">{}</td>", s, s);
  };
  for (std::size_t j = 0; j < r.front.size(); ++j) {
    const auto& d = r.front[j];
    const auto& s = d.row.score;
    html += fmt::format("<tr data-f=\"{}\" tabindex=\"0\"><td data-v=\"{}\">{}</td>", j, j + 1, j + 1);
    if (several) {
      const std::string run = html_escape(d.run < r.runs.size() ? r.runs[d.run].id : std::string());
      html += fmt::format("<td data-v=\"{0}\">{0}</td>", run);
    }
    html += fmt::format("<td data-v=\"{0}\"><code>{0}</code></td>", html_escape(d.row.design_hash));
    html += num(s.top1_pct) + num(r.float_top1_pct - s.top1_pct) + num(s.energy_uJ) + num(s.area_mm2) +
            num(s.latency_ms) + num(s.power_mW) + num(s.mult_power);
    if (full_test) html += d.row.full_test ? num(d.row.full_test->top1_pct) : "<td data-v=\"\"></td>";
    html += "</tr>\n";
  }
  html += "</tbody>\n</table>\n";
  return html;
}

std::string legend(const HtmlReport& r) {
  std::string html = "<ul class=\"legend\">";
  if (r.runs.size() > 1) {
    // One swatch per algorithm: a comparison's runs of one algorithm share its colour.
    const auto colours = run_colours(r);
    std::set<std::string> seen;
    for (std::size_t k = 0; k < r.runs.size(); ++k) {
      const auto name = group_of(r.runs[k]);
      if (!seen.insert(name).second) continue;
      html += fmt::format("<li><span class=\"swatch\" style=\"background:{}\"></span>{} front</li>", colours[k],
                          html_escape(name));
    }
  } else {
    html += fmt::format("<li><span class=\"swatch\" style=\"background:{}\"></span>front</li>", kPalette[0]);
    html += "<li><span class=\"swatch dot\"></span>other feasible evaluations</li>";
  }
  html += "<li><span class=\"cross\">&#x2715;</span>infeasible";
  if (!r.constraints.empty()) {
    std::vector<std::string> texts;
    for (const auto& c : r.constraints) texts.push_back(c.text());
    html += " (violates " + html_escape(join(texts, " or ")) + ")";
  }
  html += "</li></ul>\n";
  return html;
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string script_safe_json(const nlohmann::json& value) {
  // ASCII only (so U+2028 and U+2029 are escaped too), invalid UTF-8 replaced rather than thrown.
  const std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  // Outside strings JSON has none of these, so escaping them everywhere keeps the value.
  for (const char c : text)
    out += c == '<' ? "\\u003c" : c == '>' ? "\\u003e" : c == '&' ? "\\u0026" : std::string(1, c);
  return out;
}

nlohmann::json report_json(const HtmlReport& r) {
  using nlohmann::json;
  const auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
  const auto figures = [&](json& j, const search::Score& s) {
    j["top1_pct"] = number(s.top1_pct);
    j["top1_drop_pp"] = number(r.float_top1_pct - s.top1_pct);
    j["energy_uJ"] = number(s.energy_uJ);
    j["area_mm2"] = number(s.area_mm2);
    j["latency_ms"] = number(s.latency_ms);
    j["power_mW"] = number(s.power_mW);
    j["mult_power"] = number(s.mult_power);
  };
  json j;
  j["title"] = r.title;
  j["source"] = r.source;
  j["model"] = r.model;
  j["arch"] = r.arch;
  j["float_top1_pct"] = number(r.float_top1_pct);
  j["metrics"] = json::array();
  for (const auto m : r.metrics) j["metrics"].push_back(search::to_string(m));
  j["constraints"] = json::array();
  for (const auto& c : r.constraints) j["constraints"].push_back(c.text());
  j["runs"] = json::array();
  for (const auto& run : r.runs) j["runs"].push_back({{"id", run.id}, {"algorithm", run.algorithm}});
  j["points"] = json::array();
  for (const auto& p : r.points) {
    json o{{"run", p.run}, {"evaluation", p.evaluation}, {"design_hash", p.design_hash}, {"feasible", p.feasible}};
    figures(o, p.score);
    j["points"].push_back(std::move(o));
  }
  j["front"] = json::array();
  for (const auto& d : r.front) {
    json o{{"run", d.run}, {"design_hash", d.row.design_hash}, {"design", d.row.canonical}};
    figures(o, d.row.score);
    o["full_test_top1_pct"] = d.row.full_test ? number(d.row.full_test->top1_pct) : json(nullptr);
    o["layers"] = json::array();
    for (const auto& l : d.layers) {
      const auto& e = l.cost.energy;
      o["layers"].push_back({{"name", l.name},
                             {"settings", l.settings},
                             {"unit", l.cost.unit},
                             {"macs", number(l.cost.macs)},
                             {"cycles", number(l.cost.cycles)},
                             {"mac_uJ", number(e.mac_uJ)},
                             {"nonlinear_uJ", number(e.nonlinear_uJ)},
                             {"sram_uJ", number(e.sram_uJ)},
                             {"dram_uJ", number(e.dram_uJ)},
                             {"static_uJ", number(e.static_uJ)},
                             {"device_uJ", number(e.device_uJ)},
                             {"energy_uJ", number(e.total_uJ())}});
    }
    j["front"].push_back(std::move(o));
  }
  j["curves"] = json::array();
  for (const auto& c : r.curves) j["curves"].push_back({{"name", c.name}, {"hypervolume", c.hypervolume}});
  j["curve_note"] = r.curve_note;
  j["front_csv"] = r.front_csv;
  return j;
}

std::string render_html_report(const HtmlReport& r) {
  const auto costs = cost_metrics_of(r);
  std::size_t infeasible = 0;
  for (const auto& p : r.points) infeasible += p.feasible ? 0 : 1;
  std::vector<std::string> objectives;
  for (const auto m : r.metrics) objectives.push_back(search::to_string(m));
  std::vector<std::string> constraints;
  for (const auto& c : r.constraints) constraints.push_back(c.text());

  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>" + html_escape(r.title) + "</title>\n<style>\n" + detail::kReportCss + "</style>\n</head>\n<body>\n";
  html += "<header>\n<h1>" + html_escape(r.title) + "</h1>\n<p class=\"meta\">";
  html += "model <b>" + html_escape(r.model) + "</b> on <b>" + html_escape(r.arch) + "</b> &middot; objectives " +
          html_escape(join(objectives)) + " &middot; constraints " +
          (constraints.empty() ? std::string("none") : html_escape(join(constraints))) + " &middot; float top-1 " +
          html_escape(short_number(r.float_top1_pct)) + " %";
  html += fmt::format(" &middot; {} run{}, {} evaluations ({} infeasible), {} front designs", r.runs.size(),
                      r.runs.size() == 1 ? "" : "s", r.points.size(), infeasible, r.front.size());
  html += "<br>from <code>" + html_escape(r.source) + "</code></p>\n</header>\n<main>\n";

  html += "<section id=\"front-plots\">\n<h2>Pareto front</h2>\n";
  if (costs.empty()) {
    html += "<p>The run has no cost objective to plot accuracy against.</p>\n";
  } else {
    html += "<div class=\"tabs\" role=\"tablist\">";
    for (const auto m : costs) {
      html += fmt::format("<button type=\"button\" class=\"tab\" role=\"tab\" data-metric=\"{}\">{}</button>",
                          search::to_string(m), html_escape(metric_label(m)));
    }
    html += "</div>\n<div class=\"panes\">\n<div class=\"plots\">\n";
    for (const auto m : costs) {
      html += fmt::format("<figure class=\"plot\" data-metric=\"{}\">\n", search::to_string(m));
      html += scatter_svg(r, m);
      html += "</figure>\n";
    }
    html += legend(r);
    html +=
        "<p class=\"note\">Hover over a point for its figures; click a front design (large marker, or a row of "
        "the table) for its layers. ";
    if (r.metrics.size() > 2) {
      html +=
          "The front is non-dominated in all objectives at once, so in one plane some of its designs look "
          "dominated. ";
    }
    html += "Top-1 is measured on the search's evaluation slice.</p>\n</div>\n";
    html +=
        "<aside id=\"design-details\" aria-live=\"polite\"><p class=\"placeholder\">Click a front design to see "
        "its per-layer assignment and energy.</p></aside>\n</div>\n";
  }
  html += "</section>\n";

  html += "<section id=\"hypervolume\">\n<h2>Hypervolume</h2>\n";
  html += r.curves.empty() ? std::string("<p>No hypervolume trace.</p>\n") : hypervolume_svg(r);
  html += "</section>\n";

  html += "<section id=\"front-rows\">\n<h2>The front</h2>\n";
  html += "<p><a id=\"csv-download\" download=\"pareto.csv\" href=\"data:text/csv;charset=utf-8," +
          percent_encode(r.front_csv) + "\">Download the front as CSV</a> (click a heading to sort)</p>\n";
  html += front_table(r);
  html += "</section>\n</main>\n";
  html += "<div id=\"tooltip\" role=\"tooltip\" hidden></div>\n";
  html += "<script type=\"application/json\" id=\"report-data\">" + script_safe_json(report_json(r)) + "</script>\n";
  html += "<script>\n" + std::string(detail::kReportJs) + "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace vitdse::report

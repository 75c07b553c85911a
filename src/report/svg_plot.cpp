// Small self-contained SVG charts.
#include "vitdse/report/svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/text.hpp"

namespace vitdse::report {

namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else
      out += c;
  }
  return out;
}

/// Whether point i of a series adds to the drawing: the ends, and wherever the line bends (the
/// interior points of a flat run lie on the segment between its ends).
bool bends(const std::vector<double>& y, std::size_t i) {
  return i == 0 || i + 1 >= y.size() || y[i] != y[i - 1] || y[i] != y[i + 1];
}

struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  void pad() {
    if (!(hi > lo)) lo -= 0.5, hi += 0.5;
    const double margin = (hi - lo) * 0.04;
    lo -= margin, hi += margin;
  }
};

}  // namespace

std::string svg_plot(const std::vector<Series>& series, const PlotOptions& o) {
  Range xr, yr;
  for (const auto& s : series) {
    for (const double v : s.x) xr.add(v);
    for (const double v : s.y) yr.add(v);
    for (const double v : s.lo) yr.add(v);
    for (const double v : s.hi) yr.add(v);
  }
  xr.pad();
  yr.pad();
  const double left = 70, right = 20 + 160, top = 40, bottom = 55;
  const double w = o.width - left - right, h = o.height - top - bottom;
  auto px = [&](double x) { return left + (x - xr.lo) / (xr.hi - xr.lo) * w; };
  auto py = [&](double y) { return top + h - (y - yr.lo) / (yr.hi - yr.lo) * h; };

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      o.width, o.height, o.width, o.height);
  svg += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{}</text>\n", left + w / 2,
                     escape(o.title));
  for (const double t : axis_ticks(xr.lo, xr.hi, 6)) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        px(t), top, top + h, top + h + 16, format_number(t, 4));
  }
  for (const double t : axis_ticks(yr.lo, yr.hi, 6)) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        left, py(t), left + w, left - 6, py(t) + 4, format_number(t, 4));
  }
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n", left, top,
                     w, h);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + w / 2, o.height - 14,
                     escape(o.x_label));
  svg += fmt::format("<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0})\">{1}</text>\n",
                     top + h / 2, escape(o.y_label));

  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* colour = kPalette[k % std::size(kPalette)];
    if (!s.lo.empty() && s.lo.size() == s.x.size() && s.hi.size() == s.x.size()) {
      std::string band;
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        if (bends(s.hi, i)) band += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(s.hi[i]));
      }
      for (std::size_t i = s.x.size(); i-- > 0;) {
        if (bends(s.lo, i)) band += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(s.lo[i]));
      }
      svg += fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>\n", band, colour);
    }
    std::string line;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (s.points || bends(s.y, i)) line += fmt::format("{:.1f},{:.1f} ", px(s.x[i]), py(s.y[i]));
    }
    if (s.points) {
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\"/>\n", px(s.x[i]), py(s.y[i]),
                           colour);
      }
      svg +=
          fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-opacity=\"0.5\"/>\n", line, colour);
    } else {
      svg += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n", line, colour);
    }
    const double ly = top + 10 + 20 * static_cast<double>(k);
    svg += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"14\" height=\"4\" fill=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        left + w + 14, ly - 4, colour, left + w + 34, ly + 1, escape(s.name));
  }
  svg += "</svg>\n";
  return svg;
}

std::vector<double> axis_ticks(double lo, double hi, int count) {
  const double raw = (hi - lo) / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * power;
    if (step >= raw) break;
  }
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

}  // namespace vitdse::report

// Small self-contained SVG charts: lines with optional bands, or points (fronts).
#pragma once

#include <string>
#include <vector>

namespace vitdse::report {

/// One series. `lo`/`hi`, when given, draw a band (e.g. the spread over seeds) under the line.
struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> lo, hi;
  bool points = false;  ///< markers instead of a line (a Pareto front: a step line through points)
};

struct PlotOptions {
  std::string title, x_label, y_label;
  int width = 720, height = 440;
};

/// An SVG document with axes, ticks, a legend and the series in a fixed palette.
std::string svg_plot(const std::vector<Series>& series, const PlotOptions& options);

/// Axis ticks at 1, 2 or 5 times a power of ten, about `count` of them over [lo, hi].
std::vector<double> axis_ticks(double lo, double hi, int count);

}  // namespace vitdse::report

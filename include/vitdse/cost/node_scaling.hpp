// CMOS node scaling: energy, area and delay factors relative to a base node, interpolated.
#pragma once

#include <string>
#include <vector>

namespace vitdse::cost {

/// Multipliers relative to the technology table's base node, at a fixed supply voltage.
struct ScaleFactors {
  double energy = 1.0;
  double area = 1.0;
  double delay = 1.0;
};

/// Tabulated factors (Stillmaker & Baas, Integration 2017) and log-log interpolation between
/// tabulated nodes: log(factor) is linear in log(node). Monotonicity is checked on construction.
class NodeScaling {
 public:
  struct Point {
    double node_nm;
    ScaleFactors factors;
  };
  explicit NodeScaling(std::vector<Point> points, std::string source = "node scaling table");

  /// Factors at `node_nm`; throws Error naming the supported range outside it.
  [[nodiscard]] ScaleFactors at(double node_nm) const;
  [[nodiscard]] const std::vector<Point>& points() const { return points_; }
  [[nodiscard]] double min_node() const { return points_.front().node_nm; }
  [[nodiscard]] double max_node() const { return points_.back().node_nm; }

 private:
  std::vector<Point> points_;  ///< ascending node size
};

}  // namespace vitdse::cost

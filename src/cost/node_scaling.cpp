// Node-scaling interpolation and its monotonicity check.
#include "vitdse/cost/node_scaling.hpp"

#include <algorithm>
#include <cmath>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::cost {

NodeScaling::NodeScaling(std::vector<Point> points, std::string source) : points_(std::move(points)) {
  if (points_.size() < 2) throw Error(source + ": node scaling needs at least two nodes");
  std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) { return a.node_nm < b.node_nm; });
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const auto& p = points_[i];
    if (!(p.node_nm > 0) || !(p.factors.energy > 0) || !(p.factors.area > 0) || !(p.factors.delay > 0)) {
      throw Error(source + ": node " + format_number(p.node_nm) + " nm has a non-positive size or factor");
    }
    if (i == 0) continue;
    const auto& q = points_[i - 1];
    if (q.node_nm == p.node_nm) throw Error(source + ": node " + format_number(p.node_nm) + " nm is listed twice");
    // A smaller node must never cost more energy, area or time than a larger one.
    if (q.factors.energy > p.factors.energy || q.factors.area > p.factors.area || q.factors.delay > p.factors.delay) {
      throw Error(source + ": scaling factors are not monotone between " + format_number(q.node_nm) + " nm and " +
                  format_number(p.node_nm) + " nm");
    }
  }
}

ScaleFactors NodeScaling::at(double node_nm) const {
  if (!(node_nm >= min_node() && node_nm <= max_node())) {
    throw Error("technology node " + format_number(node_nm) + " nm is out of range; supported " +
                format_number(min_node()) + ".." + format_number(max_node()) + " nm");
  }
  auto hi =
      std::lower_bound(points_.begin(), points_.end(), node_nm, [](const Point& p, double n) { return p.node_nm < n; });
  if (hi->node_nm == node_nm) return hi->factors;
  const auto lo = hi - 1;
  const double t = std::log(node_nm / lo->node_nm) / std::log(hi->node_nm / lo->node_nm);
  const auto lerp = [t](double a, double b) { return std::exp(std::log(a) + t * (std::log(b) - std::log(a))); };
  return {lerp(lo->factors.energy, hi->factors.energy), lerp(lo->factors.area, hi->factors.area),
          lerp(lo->factors.delay, hi->factors.delay)};
}

}  // namespace vitdse::cost

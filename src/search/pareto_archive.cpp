// The Pareto archive and the hypervolume indicator (pagmo's, everywhere in vitdse).
#include "vitdse/search/pareto_archive.hpp"

#include <algorithm>
#include <limits>

#include <pagmo/utils/hypervolume.hpp>

namespace vitdse::search {

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    better = better || a[i] < b[i];
  }
  return better;
}

double hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& reference) {
  std::vector<pagmo::vector_double> inside;
  for (const auto& p : points) {
    bool in = true;
    for (std::size_t i = 0; i < p.size(); ++i) in = in && p[i] < reference[i];
    if (in) inside.push_back(p);
  }
  if (inside.empty()) return 0.0;
  return pagmo::hypervolume(inside, true).compute(reference);
}

ParetoArchive::ParetoArchive(std::size_t objectives) : reference_(objectives, 1.0) {}

bool ParetoArchive::add(std::size_t id, const std::vector<double>& objectives) {
  for (const auto& p : points_) {
    if (p == objectives || dominates(p, objectives)) return false;
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < points_.size(); ++i) {
    if (dominates(objectives, points_[i])) continue;
    if (kept != i) {  // a self-move would empty the vector
      points_[kept] = std::move(points_[i]);
      ids_[kept] = ids_[i];
    }
    ++kept;
  }
  points_.resize(kept);
  ids_.resize(kept);
  points_.push_back(objectives);
  ids_.push_back(id);
  hv_ = search::hypervolume(points_, reference_);
  return true;
}

double ParetoArchive::hypervolume_with(const std::vector<double>& objectives) const {
  auto points = points_;
  points.push_back(objectives);
  return search::hypervolume(points, reference_);
}

double ParetoArchive::distance(const std::vector<double>& objectives) const {
  // Escaping one archive point a takes improving past it in some objective: min_i (y_i - a_i);
  // escaping all of them takes the largest of those (0 when nothing dominates y).
  double need = 0;
  for (const auto& a : points_) {
    double escape = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < a.size(); ++i) escape = std::min(escape, objectives[i] - a[i]);
    need = std::max(need, escape);
  }
  return need;
}

double ParetoArchive::shortfall(const std::vector<double>& objectives) const {
  double outside = 0;
  for (std::size_t i = 0; i < objectives.size(); ++i) outside = std::max(outside, objectives[i] - reference_[i]);
  return std::max(distance(objectives), outside);
}

}  // namespace vitdse::search

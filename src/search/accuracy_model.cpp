// The additive accuracy model: ridge regression on one-hot features by coordinate descent, which
// needs no matrix library and, warm-started from the last fit, converges in a few sweeps.
#include "vitdse/search/accuracy_model.hpp"

#include <algorithm>
#include <cmath>

namespace vitdse::search {

AccuracyModel::AccuracyModel(const DesignSpace& space, double floor_pp, double ridge)
    : floor_pp_(floor_pp), ridge_(ridge) {
  for (const auto& v : space.variables()) terms_.emplace_back(v.choices.size(), 0.0);
}

void AccuracyModel::fit(const std::vector<Evaluation>& evaluations) {
  if (evaluations.empty()) return;
  const double floor = evaluations.front().score.top1_pct - floor_pp_;  // the first is the reference
  std::vector<double> residual(evaluations.size());
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    residual[i] = std::max(evaluations[i].score.top1_pct, floor) - predict(evaluations[i].point);
  }
  // Points by variable and choice, so that a term's update touches only its own points.
  std::vector<std::vector<std::vector<std::size_t>>> having(terms_.size());
  for (std::size_t v = 0; v < terms_.size(); ++v) {
    having[v].resize(terms_[v].size());
    for (std::size_t i = 0; i < evaluations.size(); ++i)
      having[v][static_cast<std::size_t>(evaluations[i].point[v])].push_back(i);
  }
  constexpr int kMaxSweeps = 200;
  constexpr double kTolerance = 1e-9;  // pp
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double largest = 0;
    double shift = 0;  // the intercept is not penalised: it takes the residuals' mean
    for (const double r : residual) shift += r;
    shift /= static_cast<double>(residual.size());
    intercept_ += shift;
    for (double& r : residual) r -= shift;
    largest = std::abs(shift);
    for (std::size_t v = 0; v < terms_.size(); ++v) {
      for (std::size_t c = 1; c < terms_[v].size(); ++c) {
        const auto& points = having[v][c];
        if (points.empty()) continue;
        double sum = 0;
        for (const std::size_t i : points) sum += residual[i];
        const double n = static_cast<double>(points.size());
        const double updated = (sum + n * terms_[v][c]) / (n + ridge_);
        const double change = updated - terms_[v][c];
        terms_[v][c] = updated;
        for (const std::size_t i : points) residual[i] -= change;
        largest = std::max(largest, std::abs(change));
      }
    }
    if (largest < kTolerance) break;
  }
}

double AccuracyModel::predict(const Point& point) const {
  double top1 = intercept_;
  for (std::size_t v = 0; v < terms_.size(); ++v) top1 += terms_[v][static_cast<std::size_t>(point[v])];
  return top1;
}

double AccuracyModel::predict_from(const Point& from, double measured_pct, const Point& to) const {
  double top1 = measured_pct;
  for (std::size_t v = 0; v < terms_.size(); ++v) {
    if (from[v] != to[v]) top1 += term(v, to[v]) - term(v, from[v]);
  }
  return top1;
}

}  // namespace vitdse::search

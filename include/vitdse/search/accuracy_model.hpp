// An online model of a design's top-1 accuracy, learnt from the points a search has scored.
#pragma once

#include <cstddef>
#include <vector>

#include "vitdse/search/search_run.hpp"

namespace vitdse::search {

/// Top-1 as a sum of one term per variable and choice (0 for the reference choice) plus an
/// intercept, fitted by ridge regression on one-hot features to every scored point. The ridge
/// pulls an unseen choice's term to 0, so it is predicted to cost no accuracy: optimism under
/// uncertainty, which gets it tried. Accuracies more than `floor_pp` below the reference design's
/// are clipped to that floor, so that a few broken designs do not bend every term.
///
///     AccuracyModel model(space, 10.0);
///     model.fit(run.evaluations());
///     double top1 = model.predict_from(member.point, member.score.top1_pct, neighbour);
class AccuracyModel {
 public:
  explicit AccuracyModel(const DesignSpace& space, double floor_pp, double ridge = 0.5);

  /// Refits to `evaluations` (all of them, from the current terms: a few sweeps of exact
  /// coordinate descent each time points are added).
  void fit(const std::vector<Evaluation>& evaluations);
  /// The model's top-1 of `point`, %.
  [[nodiscard]] double predict(const Point& point) const;
  /// The top-1 of `to` predicted from a scored point `from` that measured `measured_pct`: the
  /// measurement plus the terms `to` changes. Near scored points this is exact where the model
  /// is additive and keeps the measured interactions elsewhere.
  [[nodiscard]] double predict_from(const Point& from, double measured_pct, const Point& to) const;
  /// The term of choice `c` of variable `v`, in pp of top-1.
  [[nodiscard]] double term(std::size_t v, int c) const { return terms_[v][static_cast<std::size_t>(c)]; }

 private:
  double floor_pp_, ridge_;
  std::vector<std::vector<double>> terms_;  ///< per variable and choice; the reference's stays 0
  double intercept_ = 0;
};

}  // namespace vitdse::search

// Local refinement of the Pareto archive, screened by the accuracy model.
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "vitdse/search/accuracy_model.hpp"
#include "vitdse/search/search_run.hpp"

namespace vitdse::search {

/// Pareto local search around the archive (Paquete, Chiarandini and Stützle, 2004): proposes the
/// unscored points one variable away from an archive member. Costs come from the cost model,
/// which is exact and cheap; top-1 from the accuracy model, read from the member's measurement.
/// Proposals are the neighbours predicted to add the most hypervolume, picked one after another
/// as if each picked point had been scored as predicted (the "constant liar" of batch Bayesian
/// optimisation: Ginsbourger, Le Riche and Carraro, 2010), so that one batch spreads along the
/// front instead of crowding one gap.
class FrontRefiner {
 public:
  explicit FrontRefiner(const SearchRun& run) : run_(run) {}

  /// Up to `count` distinct points, none scored before nor in `taken`, best first. Fewer when
  /// every member's neighbourhood is explored.
  [[nodiscard]] std::vector<Point> propose(const AccuracyModel& model, std::size_t count,
                                           const std::vector<Point>& taken);

 private:
  struct Neighbour {
    Point point;
    std::vector<double> objectives;  ///< predicted, normalised
    double violation = 0;            ///< predicted
  };
  [[nodiscard]] const Score& cost_of(const Point& point);

  const SearchRun& run_;
  std::map<Point, Score> costs_;  ///< the cost model's figures, computed once per point
};

}  // namespace vitdse::search

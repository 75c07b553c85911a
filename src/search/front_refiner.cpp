// Pareto local search around the archive, with batch proposals by the constant liar.
#include "vitdse/search/front_refiner.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace vitdse::search {

const Score& FrontRefiner::cost_of(const Point& point) {
  auto it = costs_.find(point);
  if (it == costs_.end()) it = costs_.emplace(point, run_.scorer().cost_score(run_.space().design(point))).first;
  return it->second;
}

std::vector<Point> FrontRefiner::propose(const AccuracyModel& model, std::size_t count,
                                         const std::vector<Point>& taken) {
  const auto& vars = run_.space().variables();
  const auto& evaluations = run_.evaluations();
  std::set<Point> excluded(taken.begin(), taken.end());
  std::vector<Neighbour> neighbours;
  for (const std::size_t id : run_.archive().ids()) {
    const Evaluation& member = evaluations[id];
    for (std::size_t v = 0; v < vars.size(); ++v) {
      for (int c = 0; c < static_cast<int>(vars[v].choices.size()); ++c) {
        Point p = member.point;
        p[v] = c;
        if (c == member.point[v] || run_.find(p) || !excluded.insert(p).second) continue;
        Score predicted = cost_of(p);
        predicted.top1_pct = model.predict_from(member.point, member.score.top1_pct, p);
        neighbours.push_back({p, run_.objectives().normalised(predicted), run_.objectives().violation(predicted)});
      }
    }
  }
  // A neighbour is worth the hypervolume it is predicted to add; one predicted to add none is
  // worth minus how far it falls short of adding any, so that the nearest are tried first.
  ParetoArchive liar = run_.archive();
  std::vector<Point> out;
  std::vector<bool> used(neighbours.size(), false);
  while (out.size() < count) {
    double best_value = -std::numeric_limits<double>::infinity();
    std::size_t best = neighbours.size();
    for (std::size_t i = 0; i < neighbours.size(); ++i) {
      if (used[i]) continue;
      const Neighbour& n = neighbours[i];
      double value = -n.violation;
      if (n.violation == 0) {
        const double gain = liar.hypervolume_with(n.objectives) - liar.hypervolume();
        value = gain > 0 ? gain : -liar.shortfall(n.objectives);
      }
      if (value > best_value) best_value = value, best = i;
    }
    if (best == neighbours.size()) break;
    used[best] = true;
    if (neighbours[best].violation == 0)
      (void)liar.add(std::numeric_limits<std::size_t>::max(), neighbours[best].objectives);
    out.push_back(neighbours[best].point);
  }
  return out;
}

}  // namespace vitdse::search

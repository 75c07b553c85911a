// The greedy baseline, after TransAxx's layer-sensitivity analysis: measure each variable alone at
// its cheapest choice, then descend variable by variable, least sensitive first, taking the
// cheapest choice whose accuracy drop stays within a threshold. Passes with different
// thresholds trace different parts of the front.
#include <algorithm>
#include <numeric>

#include "vitdse/search/algorithms.hpp"

namespace vitdse::search {

namespace {

/// Sum of the normalised cost objectives of a point, from the cost model alone.
double cost_of(const SearchRun& run, const Point& p) {
  const auto normalised = run.objectives().normalised(run.scorer().cost_score(run.space().design(p)));
  return std::accumulate(normalised.begin() + 1, normalised.end(), 0.0);  // [0] is the accuracy drop
}

}  // namespace

void run_greedy(SearchRun& run, const AlgorithmOptions& /*options*/) {
  const auto& vars = run.space().variables();
  const Point reference(vars.size(), 0);
  const double reference_cost = cost_of(run, reference);

  // Each variable's choices, cheapest first, with their costs when set alone.
  std::vector<std::vector<int>> by_cost(vars.size());
  std::vector<double> saving(vars.size());
  for (std::size_t v = 0; v < vars.size(); ++v) {
    std::vector<double> cost(vars[v].choices.size());
    for (std::size_t c = 0; c < cost.size(); ++c) {
      Point p = reference;
      p[v] = static_cast<int>(c);
      cost[c] = cost_of(run, p);
    }
    by_cost[v].resize(cost.size());
    std::iota(by_cost[v].begin(), by_cost[v].end(), 0);
    std::stable_sort(by_cost[v].begin(), by_cost[v].end(), [&](int a, int b) {
      return cost[static_cast<std::size_t>(a)] < cost[static_cast<std::size_t>(b)];
    });
    saving[v] = reference_cost - cost[static_cast<std::size_t>(by_cost[v].front())];
  }

  // Sensitivity: every variable alone at its cheapest choice, in one batch.
  std::vector<Point> singles;
  for (std::size_t v = 0; v < vars.size(); ++v) {
    Point p = reference;
    p[v] = by_cost[v].front();
    singles.push_back(std::move(p));
  }
  const auto single_index = run.evaluate(singles);
  std::vector<double> ratio(vars.size(), 1e300);  // accuracy lost per cost saved
  for (std::size_t v = 0; v < vars.size(); ++v) {
    if (!single_index[v] || saving[v] <= 0) continue;
    const double drop = std::max(0.0, run.evaluations()[*single_index[v]].objectives[0]);
    ratio[v] = drop / saving[v];
  }
  std::vector<std::size_t> order(vars.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ratio[a] < ratio[b]; });

  // Descents, each within a threshold on the normalised accuracy drop.
  for (const double threshold : {0.5, 0.25, 1.0, 0.125, 0.75, 0.375, 0.875, 0.625}) {
    Point current = reference;
    double current_cost = reference_cost;
    for (const std::size_t v : order) {
      for (const int c : by_cost[v]) {
        if (run.finished()) return;
        Point p = current;
        p[v] = c;
        if (p == current) break;  // no cheaper choice left for this variable
        const double p_cost = cost_of(run, p);
        if (p_cost >= current_cost) continue;
        const auto index = run.evaluate({p}).front();
        if (!index) return;
        const Evaluation& e = run.evaluations()[*index];
        if (e.feasible() && e.objectives[0] <= threshold) {
          current = p;
          current_cost = p_cost;
          break;
        }
      }
    }
  }
}

}  // namespace vitdse::search

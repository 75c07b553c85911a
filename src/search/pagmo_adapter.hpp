// A SearchRun as a pagmo problem, for the baselines that run through pagmo2 (NSGA-II, MOEA/D).
#pragma once

#include <cmath>
#include <optional>

#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <pagmo/types.hpp>
#include <vector>

#include "vitdse/search/search_run.hpp"

namespace vitdse::search::pagmo_adapter {

/// Objectives pagmo minimises: the normalised objectives, pushed past the reference point by
/// the constraint violation; points the budget left unscored get a fitness dominated by all.
inline pagmo::vector_double fitness_of(const SearchRun& run, std::optional<std::size_t> index) {
  const std::size_t m = run.objectives().metrics().size();
  if (!index) return pagmo::vector_double(m, 1e6);
  const Evaluation& e = run.evaluations()[*index];
  pagmo::vector_double f = e.objectives;
  for (auto& x : f) x += e.feasible() ? 0.0 : 1.0 + e.violation;
  return f;
}

/// The point a decision vector names: each coordinate rounded to a choice index.
inline Point point_of(const pagmo::vector_double& x) {
  Point p(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) p[i] = static_cast<int>(std::lround(x[i]));
  return p;
}

/// The pagmo problem: the space's shape, one coordinate per variable over its choice indices.
/// `integer` declares them integers (NSGA-II's integer operators); algorithms without integer
/// support (MOEA/D) search the continuous relaxation, rounded by point_of.
struct DesignProblem {
  SearchRun* run = nullptr;
  bool integer = true;
  [[nodiscard]] pagmo::vector_double fitness(const pagmo::vector_double& x) const {
    return fitness_of(*run, run->evaluate({point_of(x)}).front());
  }
  [[nodiscard]] std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    pagmo::vector_double lo, hi;
    for (const auto& v : run->space().variables()) {
      lo.push_back(0);
      hi.push_back(static_cast<double>(v.choices.size() - 1));
    }
    return {lo, hi};
  }
  [[nodiscard]] pagmo::vector_double::size_type get_nobj() const { return run->objectives().metrics().size(); }
  [[nodiscard]] pagmo::vector_double::size_type get_nix() const {
    return integer ? run->space().variables().size() : 0;
  }
};

/// A pagmo batch fitness evaluator (UDBFE) that scores a whole population as one SearchRun batch.
struct RunBatchEvaluator {
  SearchRun* run = nullptr;
  pagmo::vector_double operator()(const pagmo::problem& problem, const pagmo::vector_double& dvs) const {
    const std::size_t n = problem.get_nx();
    std::vector<Point> points;
    for (std::size_t i = 0; i < dvs.size(); i += n) {
      points.push_back(point_of(pagmo::vector_double(dvs.begin() + static_cast<std::ptrdiff_t>(i),
                                                     dvs.begin() + static_cast<std::ptrdiff_t>(i + n))));
    }
    const auto indices = run->evaluate(points);
    pagmo::vector_double out;
    for (const auto& index : indices) {
      const auto f = fitness_of(*run, index);
      out.insert(out.end(), f.begin(), f.end());
    }
    return out;
  }
};

/// Evolves `pop` one generation at a time until the run's budget is spent, a stop is requested,
/// or 100 generations in a row score nothing new.
template <class Algorithm>
void evolve_until_done(SearchRun& run, const Algorithm& algorithm, pagmo::population pop) {
  int idle = 0;
  while (!run.finished() && idle < 100) {
    const std::size_t before = run.evaluations().size();
    pop = algorithm.evolve(pop);
    idle = run.evaluations().size() == before ? idle + 1 : 0;
  }
}

/// The pagmo seed of a search seed.
inline unsigned seed_of(std::uint64_t seed) { return static_cast<unsigned>(seed ^ (seed >> 32)); }

}  // namespace vitdse::search::pagmo_adapter

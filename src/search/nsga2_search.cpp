// The NSGA-II baseline, through pagmo2: an integer problem whose population is scored by a pagmo
// batch fitness evaluator that hands whole generations to the SearchRun.
#include <cmath>
#include <limits>

#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/batch_evaluators/default_bfe.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>

#include "vitdse/search/algorithms.hpp"

namespace vitdse::search {

namespace {

/// Objectives pagmo minimises: the normalised objectives, pushed past the reference point by
/// the constraint violation; points the budget left unscored get a fitness dominated by all.
pagmo::vector_double fitness_of(const SearchRun& run, std::optional<std::size_t> index) {
  const std::size_t m = run.objectives().metrics().size();
  if (!index) return pagmo::vector_double(m, 1e6);
  const Evaluation& e = run.evaluations()[*index];
  pagmo::vector_double f = e.objectives;
  for (auto& x : f) x += e.feasible() ? 0.0 : 1.0 + e.violation;
  return f;
}

Point point_of(const pagmo::vector_double& x) {
  Point p(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) p[i] = static_cast<int>(std::lround(x[i]));
  return p;
}

/// The pagmo problem: only its shape; fitness goes through the batch evaluator below.
struct DesignProblem {
  SearchRun* run = nullptr;
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
  [[nodiscard]] pagmo::vector_double::size_type get_nix() const { return run->space().variables().size(); }
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

}  // namespace

void run_nsga2(SearchRun& run, const AlgorithmOptions& options) {
  if (run.space().variables().size() < 1 || run.finished()) return;
  const unsigned population = std::max(8u, (options.population + 3) / 4 * 4);  // pagmo: a multiple of 4, >= 5
  const pagmo::problem problem{DesignProblem{&run}};
  const pagmo::bfe bfe{RunBatchEvaluator{&run}};
  const auto seed = static_cast<unsigned>(options.seed ^ (options.seed >> 32));
  pagmo::population pop(problem, bfe, population, seed);
  pagmo::nsga2 algorithm(1u, 0.95, 10.0, 1.0 / static_cast<double>(run.space().variables().size()), 50.0, seed);
  algorithm.set_bfe(bfe);
  int idle = 0;  // generations in a row that scored nothing new
  while (!run.finished() && idle < 100) {
    const std::size_t before = run.evaluations().size();
    pop = algorithm.evolve(pop);
    idle = run.evaluations().size() == before ? idle + 1 : 0;
  }
}

}  // namespace vitdse::search

// The NSGA-II baseline, through pagmo2: an integer problem whose population is scored by a pagmo
// batch fitness evaluator that hands whole generations to the SearchRun.
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/batch_evaluators/default_bfe.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>

#include "pagmo_adapter.hpp"
#include "vitdse/search/algorithms.hpp"

namespace vitdse::search {

void run_nsga2(SearchRun& run, const AlgorithmOptions& options) {
  if (run.space().variables().size() < 1 || run.finished()) return;
  const unsigned population = std::max(8u, (options.population + 3) / 4 * 4);  // pagmo: a multiple of 4, >= 5
  const pagmo::problem problem{pagmo_adapter::DesignProblem{&run}};
  const pagmo::bfe bfe{pagmo_adapter::RunBatchEvaluator{&run}};
  const auto seed = pagmo_adapter::seed_of(options.seed);
  pagmo::population pop(problem, bfe, population, seed);
  pagmo::nsga2 algorithm(1u, 0.95, 10.0, 1.0 / static_cast<double>(run.space().variables().size()), 50.0, seed);
  algorithm.set_bfe(bfe);
  pagmo_adapter::evolve_until_done(run, algorithm, std::move(pop));
}

}  // namespace vitdse::search

// The MOEA/D baseline, through pagmo2 (Zhang and Li, 2007, in the variant with differential
// evolution and diversity preservation of Li and Zhang, 2009). pagmo's MOEA/D is continuous, so it
// searches the relaxation of the choice indices, rounded to the nearest choice; it scores one
// individual at a time, so its batches are of one design.
#include <algorithm>

#include <pagmo/algorithms/moead.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>

#include "pagmo_adapter.hpp"
#include "vitdse/search/algorithms.hpp"

namespace vitdse::search {

void run_moead(SearchRun& run, const AlgorithmOptions& options) {
  if (run.space().variables().size() < 1 || run.finished()) return;
  const unsigned population = std::max(4u, options.population);
  const pagmo::problem problem{pagmo_adapter::DesignProblem{&run, false}};
  const auto seed = pagmo_adapter::seed_of(options.seed);
  // The first population is scored as one batch; later ones design by design.
  pagmo::population pop(problem, pagmo::bfe{pagmo_adapter::RunBatchEvaluator{&run}}, population, seed);
  // Two objectives take pagmo's uniform grid of weights; more take its low-discrepancy set,
  // which any population size fits.
  const bool two = run.objectives().metrics().size() == 2;
  const auto neighbours = std::min<pagmo::population::size_type>(20, population - 1);
  pagmo::moead algorithm(1u, two ? "grid" : "low discrepancy", "tchebycheff", neighbours, 1.0, 0.5, 20.0, 0.9, 2u, true,
                         seed);
  pagmo_adapter::evolve_until_done(run, algorithm, std::move(pop));
}

}  // namespace vitdse::search

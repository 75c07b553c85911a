// The random baseline: points drawn uniformly from the design space, a batch at a time.
#include <cmath>

#include "vitdse/core/random.hpp"
#include "vitdse/search/algorithms.hpp"

namespace vitdse::search {

void run_random(SearchRun& run, const AlgorithmOptions& options) {
  Rng rng(options.seed);
  const auto& vars = run.space().variables();
  const double size = std::pow(10.0, run.space().log10_size());
  int idle = 0;  // batches in a row with nothing new
  while (!run.finished() && static_cast<double>(run.evaluations().size()) < size && idle < 1000) {
    std::vector<Point> points(options.batch, Point(vars.size()));
    for (auto& p : points) {
      for (std::size_t v = 0; v < vars.size(); ++v) p[v] = static_cast<int>(rng.below(vars[v].choices.size()));
    }
    const std::size_t before = run.evaluations().size();
    (void)run.evaluate(points);
    idle = run.evaluations().size() == before ? idle + 1 : 0;
  }
}

}  // namespace vitdse::search

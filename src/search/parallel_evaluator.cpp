// One design per TBB task; results land in candidate order whatever the threads' timing.
#include "vitdse/search/parallel_evaluator.hpp"

#include <tbb/parallel_for.h>

namespace vitdse::search {

std::vector<Scored> ParallelEvaluator::evaluate(std::span<const Candidate> batch, const OnScored& on_scored) {
  std::vector<Scored> out(batch.size());
  tbb::parallel_for(std::size_t{0}, batch.size(), [&](std::size_t i) {
    out[i] = {scorer_.score(batch[i].design), false};
    if (on_scored) on_scored(i, out[i]);
  });
  return out;
}

}  // namespace vitdse::search

// Cache look-ups first; fresh scores in parallel, each committed as soon as it exists.
#include "vitdse/store/cached_evaluator.hpp"

#include <tbb/parallel_for.h>

#include <chrono>

namespace vitdse::store {

std::vector<search::Scored> CachedEvaluator::evaluate(std::span<const search::Candidate> batch) {
  std::vector<search::Scored> out(batch.size());
  std::vector<std::size_t> misses;
  std::vector<std::string> keys(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    keys[i] = scorer_.key(batch[i]);
    if (auto s = db_.lookup(keys[i])) {
      out[i] = {*s, true};
      ++hits_;
    } else {
      misses.push_back(i);
    }
  }
  // One design per task; each forward pass is itself parallel over images.
  const auto start = std::chrono::steady_clock::now();
  tbb::parallel_for(std::size_t{0}, misses.size(), [&](std::size_t m) {
    const std::size_t i = misses[m];
    out[i] = {scorer_.score(batch[i].design), false};
    db_.insert(scorer_.context(), {keys[i], batch[i].hash, batch[i].canonical, out[i].score});
    ++misses_;
  });
  scoring_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace vitdse::store

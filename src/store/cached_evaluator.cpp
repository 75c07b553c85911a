// Cache look-ups first; the misses go to the inner evaluator, each committed as it is scored.
#include "vitdse/store/cached_evaluator.hpp"

#include <chrono>

namespace vitdse::store {

std::vector<search::Scored> CachedEvaluator::evaluate(std::span<const search::Candidate> batch,
                                                      const OnScored& on_scored) {
  std::vector<search::Scored> out(batch.size());
  std::vector<std::size_t> misses;
  std::vector<std::string> keys(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    keys[i] = scoring_.key(batch[i]);
    if (auto s = db_.lookup(keys[i])) {
      out[i] = {*s, true};
      ++hits_;
      if (on_scored) on_scored(i, out[i]);
    } else {
      misses.push_back(i);
    }
  }
  if (misses.empty()) return out;
  std::vector<search::Candidate> fresh;
  fresh.reserve(misses.size());
  for (const std::size_t i : misses) fresh.push_back(batch[i]);
  const auto start = std::chrono::steady_clock::now();
  auto commit = [&](std::size_t i, const search::Score& score) {
    db_.insert(scoring_.context(), {keys[i], batch[i].hash, batch[i].canonical, score});
    ++misses_;
  };
  std::vector<char> reported(misses.size(), 0);  // one byte per miss: tasks write distinct ones
  const auto scored = inner_.evaluate(fresh, [&](std::size_t m, const search::Scored& s) {
    commit(misses[m], s.score);
    reported[m] = 1;
    if (on_scored) on_scored(misses[m], s);
  });
  scoring_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (scored.size() < misses.size()) out.resize(misses[scored.size()]);  // stopped: the leading part
  for (std::size_t m = 0; m < scored.size(); ++m) {
    out[misses[m]] = {scored[m].score, false};
    if (reported[m] == 0) {
      commit(misses[m], scored[m].score);
      if (on_scored) on_scored(misses[m], out[misses[m]]);
    }
  }
  return out;
}

}  // namespace vitdse::store

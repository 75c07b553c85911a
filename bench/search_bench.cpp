// The search's own work, apart from scoring designs. Targets (issue "Search"): cached look-ups at
// >= 20,000/s, and tree plus database work under 5% of a search's wall time (the latter is
// measured on whole runs: `vitdse search` prints its loop time and the part spent scoring).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "vitdse/core/hash.hpp"
#include "vitdse/core/random.hpp"
#include "vitdse/cost/cost_model.hpp"
#include "vitdse/search/pareto_archive.hpp"
#include "vitdse/search/policy.hpp"
#include "vitdse/store/database.hpp"

namespace {

/// A database of `n` evaluations in a temporary file, removed on destruction.
struct TempDatabase {
  std::filesystem::path path;
  std::vector<std::string> keys;
  explicit TempDatabase(int n) {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() / ("vitdse-bench-" + std::to_string(rd()) + ".sqlite");
    vitdse::store::Database db(path);
    for (int i = 0; i < n; ++i) {
      keys.push_back(vitdse::sha256_hex("design " + std::to_string(i)));
      vitdse::search::Score s;
      s.top1_pct = 90.0 - i * 1e-3;
      s.energy_uJ = 40.0 + i * 1e-3;
      db.insert("context", {keys.back(), keys.back().substr(0, 16), "{\"layers\":{}}", s});
    }
  }
  ~TempDatabase() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix, ec);
  }
};

void BM_CachedLookup(benchmark::State& state) {
  const TempDatabase temp(10000);
  const vitdse::store::Database db(temp.path);
  vitdse::Rng rng(1);
  for (auto _ : state) {
    const auto& key = temp.keys[rng.below(temp.keys.size())];
    benchmark::DoNotOptimize(db.lookup(key));
  }
  state.counters["lookups/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CachedLookup)->UseRealTime();

/// One committed insert: what every fresh evaluation adds to a search.
void BM_CommittedInsert(benchmark::State& state) {
  const TempDatabase temp(0);
  vitdse::store::Database db(temp.path);
  std::int64_t i = 0;
  for (auto _ : state) {
    const auto key = vitdse::sha256_hex("fresh " + std::to_string(i++));
    db.insert("context", {key, key.substr(0, 16), "{\"layers\":{}}", vitdse::search::Score{}});
  }
  state.counters["inserts/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CommittedInsert)->UseRealTime();

/// A point of the default policy to its canonical design and cache key: per evaluation.
void BM_PointToCandidate(benchmark::State& state) {
  const auto policy = vitdse::search::load_policy("default");
  const vitdse::model::Workload workload(vitdse::model::load_model_card(policy.model));
  const auto space = vitdse::search::make_space(policy, workload);
  vitdse::Rng rng(2);
  for (auto _ : state) {
    vitdse::search::Point p;
    for (const auto& v : space.variables()) p.push_back(static_cast<int>(rng.below(v.choices.size())));
    const auto design = space.design(p);
    benchmark::DoNotOptimize(vitdse::sha256_hex(vitdse::model::canonical_json(design, workload)));
  }
}
BENCHMARK(BM_PointToCandidate)->Unit(benchmark::kMicrosecond);

/// Adding a point to an archive of about 20 and its hypervolume (pagmo), as after each evaluation.
void BM_ArchiveAdd(benchmark::State& state) {
  vitdse::Rng rng(3);
  for (auto _ : state) {
    vitdse::search::ParetoArchive archive(2);
    for (std::size_t i = 0; i < 300; ++i) {
      const double x = rng.uniform();
      archive.add(i, {x, 1.0 - x + 0.3 * rng.uniform()});
    }
    benchmark::DoNotOptimize(archive.hypervolume());
  }
  state.counters["adds/s"] =
      benchmark::Counter(300.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ArchiveAdd)->Unit(benchmark::kMillisecond);

}  // namespace

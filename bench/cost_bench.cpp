// Cost-model throughput: design points priced per second, each with its own per-layer choices.
// Target (issue "Foundation"): >= 100,000 deit-small designs per second on one core.
#include <benchmark/benchmark.h>

#include <random>

#include "vitdse/cost/cost_model.hpp"

namespace {

using namespace vitdse;

/// Random designs: per layer a multiplier width, operand bits, token keep and FFN2 pruning.
std::vector<model::Design> random_designs(const model::Workload& w, std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> units{"exact:8s", "exact:6s", "exact:4s"};
  std::vector<model::Design> designs;
  for (std::size_t n = 0; n < count; ++n) {
    model::Design d = model::default_design(w);
    d.units = units;
    for (std::size_t i = 0; i < w.layers().size(); ++i) {
      auto& c = d.layers[i];
      const std::uint8_t fields = w.layers()[i].fields;
      if ((fields & model::kMult) != 0) {
        c.mult = static_cast<std::int16_t>(rng() % units.size());
        const int width = 8 - 2 * c.mult;
        c.abits = static_cast<std::int8_t>(2 + rng() % (width - 1));
        if ((fields & model::kWbits) != 0) c.wbits = static_cast<std::int8_t>(2 + rng() % (width - 1));
      }
      if ((fields & model::kTokenKeep) != 0) c.token_keep = 0.5 + 0.5 * static_cast<double>(rng() % 6) / 5.0;
      if ((fields & model::kFfn2Prune) != 0) c.ffn2_prune = 0.1 * static_cast<double>(rng() % 8);
    }
    designs.push_back(std::move(d));
  }
  return designs;
}

void BM_CostModelDeitSmall(benchmark::State& state) {
  const model::Workload w(model::load_model_card("deit-small"));
  const cost::CostModel m(w, cost::load_arch("lowpower-vit-28nm"));
  const auto designs = random_designs(w, 4096, 42);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto r = m.evaluate(designs[i++ % designs.size()]);
    benchmark::DoNotOptimize(r.energy.total_uJ());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["layers"] = static_cast<double>(w.layers().size());
}
BENCHMARK(BM_CostModelDeitSmall);

}  // namespace

// Peak memory of inference. Target (issue "Functional ViT evaluator"): a DeiT-Base-shaped model
// (86M parameters, random weights) at batch 32 stays under 1.5 GB peak RSS. Run it alone, so the
// process's peak is this benchmark's:
//   build/release/bench/vitdse_bench --benchmark_filter=DeitBasePeakMemory
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <random>

#include "vitdse/eval/vit_engine.hpp"

namespace {

void BM_DeitBasePeakMemory(benchmark::State& state) {
  const auto card = vitdse::model::load_model_card("deit-base");
  const int batch = 32;
  for (auto _ : state) {
    const vitdse::eval::VitEngine engine(card, vitdse::eval::random_vit_weights(card, 1));
    std::vector<float> images(engine.image_size() * batch);
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    for (auto& x : images) x = normal(rng);
    benchmark::DoNotOptimize(engine.forward(images, batch).data());
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_DeitBasePeakMemory)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

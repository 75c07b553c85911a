// Float forward pass of the evaluator. Target (issue "Functional ViT evaluator"): at least ONNX
// Runtime's throughput with 2 threads on the same model (bench/ort_throughput.js runs that
// side); items_per_second counts images.
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>
#include "fixtures.hpp"

#include <random>

#include "vitdse/eval/vit_engine.hpp"

namespace {

/// The conformance fixtures' shapes: vit-fmnist's (28x28x1, width 64, 4 blocks) and DeiT-Tiny's
/// with 2 of its blocks; random weights, since speed does not depend on them.
const char* const kCards[] = {"vit-28x28-random.yaml", "deit-tiny-2blocks-random.yaml"};
const int kBatches[] = {256, 32};

void BM_VitForward(benchmark::State& state) {
  const auto card = vitdse::model::load_model_card(vitdse::bench::fixture(kCards[state.range(0)]));
  const int batch = kBatches[state.range(0)];
  const tbb::global_control threads(tbb::global_control::max_allowed_parallelism,
                                    static_cast<std::size_t>(state.range(1)));
  const vitdse::eval::VitEngine engine(card, vitdse::eval::random_vit_weights(card, 1));
  std::vector<float> images(engine.image_size() * batch);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  for (auto& x : images) x = normal(rng);
  for (auto _ : state) benchmark::DoNotOptimize(engine.forward(images, batch).data());
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetLabel(card.name + " batch " + std::to_string(batch) + ", " + std::to_string(state.range(1)) + " threads");
}
BENCHMARK(BM_VitForward)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// One design evaluation, as the search runs it hundreds of times. Target (issue "Functional ViT
// evaluator"): a 1000-image evaluation of vit-fmnist with every GEMM on an approximate
// multiplier in under 2 s on 2 threads. Needs Debian's dataset-fashion-mnist.
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <filesystem>

#include "vitdse/eval/evaluator.hpp"

namespace {

const char* const kFashionMnist = "/usr/share/datasets/fashion-mnist";

void BM_EvaluateDesign1000Images(benchmark::State& state) {
  if (!std::filesystem::exists(kFashionMnist)) {
    state.SkipWithError("dataset-fashion-mnist is not installed");
    return;
  }
  // vit-fmnist's shape; accuracy does not change the time.
  const auto card = vitdse::model::load_model_card(VITDSE_TEST_DATA "/vit-28x28-random.yaml");
  const vitdse::model::Workload workload(card);
  const auto design = vitdse::model::parse_design("version: 1\ndefaults: {mult: \"drum:8s:k=4\", wbits: 8, abits: 8}\n",
                                                  "bench", workload);
  vitdse::eval::EvalOptions options;
  options.images = 1000;
  const vitdse::eval::Evaluator evaluator(card, vitdse::eval::load_vit_weights(card), {"idx", kFashionMnist}, options);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] { benchmark::DoNotOptimize(evaluator.evaluate(design, workload).top1_pct); });
  }
  state.counters["images/s"] =
      benchmark::Counter(1000.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EvaluateDesign1000Images)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

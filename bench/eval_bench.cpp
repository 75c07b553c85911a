// One design evaluation, as the search runs it hundreds of times. Targets (issue "Functional ViT
// evaluator"): a 1000-image evaluation of vit-fmnist with every GEMM on an approximate
// multiplier in under 2 s on 2 threads; prefix reuse, where a design that differs from the
// last one only from block k on does not recompute the stages before k; and (issue
// "EfficientViT") the shipped efficientvit-fmnist with every convolution approximate no slower
// per MAC than the ViT (the MAC/s counters, side by side). Needs Debian's dataset-fashion-mnist.
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>
#include "fixtures.hpp"

#include <filesystem>

#include "vitdse/eval/cpu_evaluator.hpp"
#include "vitdse/eval/evaluator.hpp"

namespace {

using vitdse::bench::kFashionMnist;

void BM_EvaluateDesign1000Images(benchmark::State& state) {
  if (!std::filesystem::exists(kFashionMnist)) {
    state.SkipWithError("dataset-fashion-mnist is not installed");
    return;
  }
  // vit-fmnist's shape; accuracy does not change the time.
  const auto card = vitdse::model::load_model_card(vitdse::bench::fixture("vit-28x28-random.yaml"));
  const vitdse::model::Workload workload(card);
  const auto design = vitdse::model::parse_design("version: 1\ndefaults: {mult: \"drum:8s:k=4\", wbits: 8, abits: 8}\n",
                                                  "bench", workload);
  vitdse::eval::EvalOptions options;
  options.images = 1000;
  options.prefix_reuse = false;  // the same design each time: reuse would skip every block
  const vitdse::eval::CpuEvaluator evaluator(card, vitdse::eval::load_vit_weights(card), {"idx", kFashionMnist},
                                             options);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] { benchmark::DoNotOptimize(evaluator.evaluate(design, workload).top1_pct); });
  }
  const double images = 1000.0 * static_cast<double>(state.iterations());
  state.counters["images/s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
  state.counters["MAC/s"] = benchmark::Counter(images * workload.macs(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EvaluateDesign1000Images)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The shipped EfficientViT, every convolution, LiteMLA product and head layer on DRUM-4: the
/// same design and images as BM_EvaluateDesign1000Images, per MAC.
void BM_EvaluateConvDesign1000Images(benchmark::State& state) {
  if (!std::filesystem::exists(kFashionMnist)) {
    state.SkipWithError("dataset-fashion-mnist is not installed");
    return;
  }
  const auto card = vitdse::model::load_model_card("efficientvit-fmnist");
  const vitdse::model::Workload workload(card);
  const auto design = vitdse::model::parse_design("version: 1\ndefaults: {mult: \"drum:8s:k=4\", wbits: 8, abits: 8}\n",
                                                  "bench", workload);
  vitdse::eval::EvalOptions options;
  options.images = 1000;
  const auto evaluator = vitdse::eval::make_evaluator(card, {"idx", kFashionMnist}, options);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] { benchmark::DoNotOptimize(evaluator->evaluate(design, workload).top1_pct); });
  }
  const double images = 1000.0 * static_cast<double>(state.iterations());
  state.counters["images/s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
  state.counters["MAC/s"] = benchmark::Counter(images * workload.macs(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EvaluateConvDesign1000Images)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Alternates two designs that differ only in block `range(1)` (of 4) on 2 threads, with prefix
/// reuse on (range(0) = 1) or off (0): as a search or a sensitivity sweep moves one variable.
void BM_EvaluateChangeFromBlock(benchmark::State& state) {
  if (!std::filesystem::exists(kFashionMnist)) {
    state.SkipWithError("dataset-fashion-mnist is not installed");
    return;
  }
  const auto card = vitdse::model::load_model_card(vitdse::bench::fixture("vit-28x28-random.yaml"));
  const vitdse::model::Workload workload(card);
  const std::string base = "version: 1\ndefaults: {mult: \"drum:8s:k=4\", wbits: 8, abits: 8}\n";
  const std::string changed = base + "blocks: {\"" + std::to_string(state.range(1)) + "\": {wbits: 6}}\n";
  const vitdse::model::Design designs[] = {vitdse::model::parse_design(base, "bench", workload),
                                           vitdse::model::parse_design(changed, "bench", workload)};
  vitdse::eval::EvalOptions options;
  options.images = 1000;
  options.prefix_reuse = state.range(0) != 0;
  const vitdse::eval::CpuEvaluator evaluator(card, vitdse::eval::load_vit_weights(card), {"idx", kFashionMnist},
                                             options);
  tbb::task_arena arena(2);
  std::size_t i = 0;
  arena.execute([&] { benchmark::DoNotOptimize(evaluator.evaluate(designs[i++], workload).top1_pct); });
  for (auto _ : state) {
    arena.execute([&] { benchmark::DoNotOptimize(evaluator.evaluate(designs[i++ % 2], workload).top1_pct); });
  }
}
BENCHMARK(BM_EvaluateChangeFromBlock)
    ->ArgsProduct({{0, 1}, {0, 2, 3}})
    ->ArgNames({"reuse", "block"})
    ->Iterations(4)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

// Training throughput against the machine's dense GEMM rate. Target (issue "Training in C++"):
// forward + backward reach at least 40% of Eigen's SGEMM FLOP/s at 1024³ on 2 threads. Both
// report a FLOP/s counter; compare them from one run. Training FLOPs are counted as 3x the
// forward pass's GEMM MACs x 2 (forward, and the two GEMMs of each layer's backward).
#include <benchmark/benchmark.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include "fixtures.hpp"

#include <random>

#include "vitdse/model/workload.hpp"
#include "vitdse/train/trainer.hpp"

namespace {

using vitdse::FloatMatrix;

/// Eigen SGEMM at 1024³, row blocks shared out over the threads.
void BM_DenseSgemm1024(benchmark::State& state) {
  constexpr Eigen::Index kN = 1024;
  const FloatMatrix a = FloatMatrix::Random(kN, kN), b = FloatMatrix::Random(kN, kN);
  FloatMatrix c(kN, kN);
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, kN, 128), [&](const auto& r) {
        const auto rows = static_cast<Eigen::Index>(r.size());
        c.middleRows(r.begin(), rows).noalias() = a.middleRows(r.begin(), rows) * b;
      });
    });
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * kN * kN * kN * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DenseSgemm1024)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Forward-pass GEMM MACs per image of `card`, without pruning.
double forward_macs(const vitdse::model::ModelCard& card) {
  const vitdse::model::Workload workload(card);
  double macs = 0;
  for (std::size_t i = 0; i < workload.layers().size(); ++i) macs += workload.counts(i, card.tokens(), 1.0).macs;
  return macs;
}

/// One epoch of vit-fmnist's shape (batch 128, 8 steps) on random images.
void BM_TrainStep(benchmark::State& state) {
  const auto card = vitdse::model::load_model_card(vitdse::bench::fixture("vit-28x28-random.yaml"));
  constexpr int kBatch = 128, kSteps = 8;
  vitdse::eval::Dataset data;
  data.channels = 1;
  data.height = data.width = 28;
  data.num_classes = 10;
  std::mt19937 rng(1);
  for (int i = 0; i < kBatch * kSteps; ++i) {
    for (int p = 0; p < 28 * 28; ++p) data.bytes.push_back(static_cast<std::uint8_t>(rng()));
    data.labels.push_back(i % 10);
  }
  vitdse::train::TrainOptions options;
  options.batch = kBatch;
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  vitdse::train::Trainer trainer(card, vitdse::eval::random_vit_weights(card, 1), data, options);
  int epoch = 0;
  for (auto _ : state) arena.execute([&] { trainer.train_epoch(epoch++); });
  const double images = static_cast<double>(state.iterations()) * kBatch * kSteps;
  state.counters["images/s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
  state.counters["FLOP/s"] = benchmark::Counter(images * 3.0 * 2.0 * forward_macs(card), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainStep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

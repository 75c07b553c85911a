// Quantiser benchmarks on DeiT-Small-sized tensors: fake quantisation, calibration, migration.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "vitdse/arith/quantiser.hpp"
#include "vitdse/arith/trio_transforms.hpp"

namespace {

using vitdse::arith::FloatMatrix;

/// A rows x cols matrix of seeded N(0, 1) samples.
FloatMatrix sample(Eigen::Index rows, Eigen::Index cols) {
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0, 1);
  FloatMatrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = d(rng);
  return m;
}

// Activations of one image: 197 tokens x 384 features, per-tensor 8-bit.
void BM_FakeQuantiseActivations(benchmark::State& state) {
  const FloatMatrix x = sample(197, 384);
  const auto p = vitdse::arith::calibrate(x, {});
  for (auto _ : state) benchmark::DoNotOptimize(vitdse::arith::fake_quantise(x, p).data());
}
BENCHMARK(BM_FakeQuantiseActivations)->Unit(benchmark::kMicrosecond);

// The evaluator's operand path: the same activations to 8-bit codes, one byte each.
void BM_QuantiseToBytes(benchmark::State& state) {
  const FloatMatrix x = sample(197, 384);
  const auto p = vitdse::arith::calibrate(x, {});
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(x.size()));
  const std::span<const float> values(x.data(), codes.size());
  for (auto _ : state) {
    vitdse::arith::quantise_to_bytes(values, p, codes);
    benchmark::DoNotOptimize(codes.data());
  }
  state.SetItemsProcessed(state.iterations() * x.size());
}
BENCHMARK(BM_QuantiseToBytes)->Unit(benchmark::kMicrosecond);

// An MLP weight, 1536 x 384, MSE-optimal per output channel.
void BM_CalibrateMsePerRow(benchmark::State& state) {
  const FloatMatrix w = sample(1536, 384);
  vitdse::arith::CalibrationOptions opt;
  opt.bits = static_cast<int>(state.range(0));
  opt.method = vitdse::arith::CalibrationMethod::mse;
  opt.granularity = vitdse::arith::Granularity::per_row;
  for (auto _ : state) benchmark::DoNotOptimize(vitdse::arith::calibrate(w, opt).scales.data());
}
BENCHMARK(BM_CalibrateMsePerRow)->Arg(4)->Arg(8)->Unit(benchmark::kMillisecond);

void BM_MigrationRatios(benchmark::State& state) {
  const FloatMatrix x = sample(197, 384);
  for (auto _ : state) benchmark::DoNotOptimize(vitdse::arith::migration_ratios(x).data());
}
BENCHMARK(BM_MigrationRatios)->Unit(benchmark::kMicrosecond);

}  // namespace

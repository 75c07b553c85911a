// Lookup-table GEMM against Eigen's float GEMM on one shape, 1 and 2 threads, side by side.
// Target: an arbitrary 8-bit table within 3x of SGEMM, on 1 and on 2 threads.
// Run: vitdse_bench --benchmark_filter=Gemm --benchmark_repetitions=5 and compare medians.
#include <benchmark/benchmark.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "random_bytes.hpp"
#include "vitdse/arith/quantiser.hpp"
#include "vitdse/eval/lut_gemm.hpp"

namespace {

using vitdse::arith::FloatMatrix;
using vitdse::eval::GemmPath;
using vitdse::eval::LutGemm;

// Activations [12800 × 64] times weights [64 × 192]: a head-sized projection over a batch.
constexpr std::size_t kM = 12800, kK = 64, kN = 192;
constexpr std::size_t kRowsPerTask = 256;

using vitdse::bench::random_bytes;

/// 8-bit tables: 0 random 16-bit entries, 1 random 32-bit entries, 2 exact products.
std::vector<std::int32_t> table(std::int64_t kind) {
  std::mt19937 rng(3);
  std::vector<std::int32_t> t(65536);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto a = static_cast<std::int8_t>(i >> 8), b = static_cast<std::int8_t>(i & 0xFF);
    t[i] = kind == 0 ? static_cast<std::int16_t>(rng()) : kind == 1 ? static_cast<std::int32_t>(rng()) : a * b;
  }
  return t;
}

const char* table_name(std::int64_t kind) { return kind == 0 ? "16-bit" : kind == 1 ? "32-bit" : "exact"; }

/// Runs `body` on `threads` threads; the kernels share rows out over the current arena.
template <class Body>
void in_arena(benchmark::State& state, Body body) {
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) arena.execute(body);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kM * kK * kN));
}

/// Eigen SGEMM, rows shared out like the integer kernels' rows.
void BM_GemmEigenFloat(benchmark::State& state) {
  const FloatMatrix a = FloatMatrix::Random(kM, kK), b = FloatMatrix::Random(kK, kN);
  FloatMatrix c(kM, kN);
  in_arena(state, [&] {
    tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, kM, kRowsPerTask), [&](const auto& r) {
      const auto rows = static_cast<Eigen::Index>(r.size());
      c.middleRows(r.begin(), rows).noalias() = a.middleRows(r.begin(), rows) * b;
    });
  });
  benchmark::DoNotOptimize(c.data());
}
BENCHMARK(BM_GemmEigenFloat)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// LutGemm on one path (automatic: AVX-512 where present), weights prepacked as the evaluator packs them.
template <GemmPath kPath>
void BM_GemmLut(benchmark::State& state) {
  const LutGemm gemm(table(state.range(1)), {8, true}, kPath);
  const auto a = random_bytes(kM * kK, 1), b = random_bytes(kK * kN, 2);
  const auto packed = gemm.pack({b.data(), kK, kN}, vitdse::eval::Reuse::many);
  std::vector<std::int32_t> c(kM * kN);
  in_arena(state, [&] { gemm.multiply({a.data(), kM, kK}, packed, {c.data(), kM, kN}); });
  benchmark::DoNotOptimize(c.data());
  state.SetLabel(std::string(table_name(state.range(1))) + " table, " + std::string(gemm.kernel()));
}
BENCHMARK_TEMPLATE(BM_GemmLut, GemmPath::automatic)
    ->ArgsProduct({{1, 2}, {0, 1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_GemmLut, GemmPath::avx2)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_GemmLut, GemmPath::portable)
    ->ArgsProduct({{1, 2}, {0, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// The plain triple loop the kernels must match, for scale.
void BM_GemmNaiveLut(benchmark::State& state) {
  const auto t = table(0);
  const auto a = random_bytes(kM * kK, 1), b = random_bytes(kK * kN, 2);
  std::vector<std::int32_t> c(kM * kN);
  in_arena(state, [&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, kM, kRowsPerTask), [&](const auto& r) {
      for (std::size_t i = r.begin(); i < r.end(); ++i) {
        for (std::size_t j = 0; j < kN; ++j) {
          std::uint32_t sum = 0;
          for (std::size_t k = 0; k < kK; ++k)
            sum += static_cast<std::uint32_t>(t[256 * a[i * kK + k] + b[k * kN + j]]);
          c[i * kN + j] = static_cast<std::int32_t>(sum);
        }
      }
    });
  });
  benchmark::DoNotOptimize(c.data());
}
BENCHMARK(BM_GemmNaiveLut)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// Stochastic-computing benchmarks. Target (issue "Arithmetic-unit library"): bit-exact SC
// simulation at >= 1 G stream bits/s per core. items_per_second counts stream bits.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/sc_stream.hpp"

namespace {

/// 256 pairs of random L-bit streams.
struct StreamPairs {
  static constexpr int kPairs = 256;
  std::vector<vitdse::arith::Bitstream> a, b;

  explicit StreamPairs(int length) {
    std::mt19937_64 rng(1);
    for (int i = 0; i < kPairs; ++i) {
      a.emplace_back(length);
      b.emplace_back(length);
      for (auto* s : {&a.back(), &b.back()}) {
        for (auto& w : s->mutable_words()) w = rng();
        s->mutable_words().back() &= vitdse::arith::last_word_mask(length);
      }
    }
  }
};

/// The AND-and-count inner loop of every SC product, on the path the CPU selects (AVX-512
/// VPOPCNTDQ where present) and on the portable path, side by side.
template <bool kPortable>
void BM_ScAndPopcount(benchmark::State& state) {
  const int length = static_cast<int>(state.range(0));
  const StreamPairs streams(length);
  for (auto _ : state) {
    int ones = 0;
    for (int i = 0; i < StreamPairs::kPairs; ++i) {
      const auto a = streams.a[i].words(), b = streams.b[i].words();
      ones += kPortable ? vitdse::arith::portable_popcount_and_words(a, b) : vitdse::arith::popcount_and_words(a, b);
    }
    benchmark::DoNotOptimize(ones);
  }
  state.SetItemsProcessed(state.iterations() * StreamPairs::kPairs * length);
  state.SetLabel(kPortable ? "portable" : (vitdse::arith::popcount_uses_avx512() ? "avx512" : "portable (no AVX-512)"));
}
BENCHMARK_TEMPLATE(BM_ScAndPopcount, false)->Arg(64)->Arg(256)->Arg(1024)->Arg(4096);
BENCHMARK_TEMPLATE(BM_ScAndPopcount, true)->Arg(64)->Arg(256)->Arg(1024)->Arg(4096);

/// A whole SC multiplier: every pair of operand levels simulated over L cycles, then tabulated.
void BM_ScMultiplierTable(benchmark::State& state) {
  const char* const specs[] = {"sc:8u:L=256", "sc:8u:L=4096", "sc:8s:L=1024:sng=sobol"};
  const char* spec = specs[state.range(0)];
  const std::int64_t length = state.range(0) == 0 ? 256 : state.range(0) == 1 ? 4096 : 1024;
  for (auto _ : state) benchmark::DoNotOptimize(vitdse::arith::make_multiplier(spec));
  state.SetItemsProcessed(state.iterations() * 256 * 256 * length);
  state.SetLabel(spec);
}
BENCHMARK(BM_ScMultiplierTable)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

}  // namespace

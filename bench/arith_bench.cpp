// Arithmetic-unit benchmarks. Targets (issue "Arithmetic-unit library"): building any 8-bit
// lookup table < 10 ms; full error metrics over 65,536 pairs < 50 ms.
#include <benchmark/benchmark.h>

#include "vitdse/arith/metrics.hpp"
#include "vitdse/arith/multiplier.hpp"

namespace {

const char* const kSpecs[] = {"exact:8s",    "trunc:8s:t=6:c=1", "bam:8u:hbl=1:vbl=4", "drum:8s:k=4",
                              "mitchell:8u", "roba:8s",          "kulkarni:8u"};

void BM_BuildLut(benchmark::State& state) {
  const auto unit = vitdse::arith::make_multiplier(kSpecs[state.range(0)]);
  for (auto _ : state) benchmark::DoNotOptimize(vitdse::arith::build_lut(*unit).data());
  state.SetLabel(kSpecs[state.range(0)]);
}
BENCHMARK(BM_BuildLut)->DenseRange(0, 6)->Unit(benchmark::kMillisecond);

void BM_ErrorMetrics(benchmark::State& state) {
  const auto unit = vitdse::arith::make_multiplier(kSpecs[state.range(0)]);
  for (auto _ : state) benchmark::DoNotOptimize(vitdse::arith::error_metrics(*unit).mae_pct);
  state.SetLabel(kSpecs[state.range(0)]);
}
BENCHMARK(BM_ErrorMetrics)->DenseRange(0, 6)->Unit(benchmark::kMillisecond);

}  // namespace

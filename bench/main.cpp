// The benchmark program's entry point: the allocator settings the vitdse command uses, then
// Google Benchmark's usual main.
#include <benchmark/benchmark.h>

#include "vitdse/core/allocator.hpp"

int main(int argc, char** argv) {
  vitdse::keep_freed_memory();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

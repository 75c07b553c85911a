// GPU GEMMs at DeiT-S fc1's shape (M 12608 = 197·64, K 384, N 1536: 7.44 G-MAC), side by side on
// one GPU: vitdse's lookup-table kernel (16-bit entries in shared memory, 32-bit ones through L1)
// against cuBLAS int8 (vitdse's exact path) and bf16, kernel time alone; then LutGemm::multiply
// with its host copies, as the evaluator calls it; then DeiT-S's forward pass, batch 256, with
// every GEMM through DRUM's 8-bit table, on the CPU alone and with the weight GEMMs on the GPU.
// Run (on a machine with a GPU): vitdse_bench --benchmark_filter=Cuda --benchmark_repetitions=5
// The "lookup_limit" counter is the GPU's shared-memory lookup rate: SMs × 32 banks × clock,
// one 4-byte word per bank per cycle, so one table entry per bank per cycle.
#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <random>
#include <vector>

#include "../src/eval/cuda_kernels.hpp"
#include "random_bytes.hpp"
#include "vitdse/eval/design_datapath.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/eval/lut_gemm.hpp"
#include "vitdse/eval/vit_engine.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::bench::cuda_gemm {  // named: a unity build merges the benchmarks' anonymous namespaces

namespace cuda = vitdse::eval::cuda;
constexpr int kM = 197 * 64, kK = 384, kN = 1536;
constexpr double kMacs = double(kM) * kK * kN;

bool have_gpu(benchmark::State& state) {
  const std::string why = vitdse::eval::device_unavailable(vitdse::eval::Device::cuda(0));
  if (!why.empty()) state.SkipWithError(("no GPU: " + why).c_str());
  return why.empty();
}

void set_rates(benchmark::State& state) {
  state.counters["MAC/s"] = benchmark::Counter(kMacs, benchmark::Counter::kIsIterationInvariantRate);
  int sms = 0, khz = 0;
  cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
  cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, 0);
  state.counters["lookup_limit"] = double(sms) * 32 * khz * 1e3;
}

/// Arg: 0 random 16-bit entries, 1 random 32-bit entries.
void BM_CudaLutKernel(benchmark::State& state) {
  if (!have_gpu(state)) return;
  const bool wide = state.range(0) == 1;
  std::mt19937 rng(3);
  cuda::Buffer table(0, 65536 * (wide ? 4 : 2)), a(0, std::size_t{kM} * kK), b(0, std::size_t{kK} * kN),
      c(0, std::size_t{kM} * kN * 4);
  if (wide) {
    std::vector<std::int32_t> t(65536);
    for (auto& e : t) e = static_cast<std::int32_t>(rng());
    table.upload(t.data(), t.size() * 4);
  } else {
    std::vector<std::int16_t> t(65536);
    for (auto& e : t) e = static_cast<std::int16_t>(rng());
    table.upload(t.data(), t.size() * 2);
  }
  a.upload(random_bytes(a.bytes(), 1).data(), a.bytes());
  b.upload(random_bytes(b.bytes(), 2).data(), b.bytes());
  const auto type = wide ? cuda::EntryType::s32 : cuda::EntryType::s16;
  const auto run = [&] {
    cuda::lut_gemm_on_device(0, table, type, static_cast<const std::uint8_t*>(a.data()), kK,
                             static_cast<const std::uint8_t*>(b.data()), kN, static_cast<std::int32_t*>(c.data()), kN,
                             kM, kN, kK);
    cuda::synchronize(0);
  };
  run();  // warm-up: shared-memory configuration, clocks
  for (auto _ : state) run();
  set_rates(state);
}
BENCHMARK(BM_CudaLutKernel)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// cuBLAS at the same shape: Arg 0 int8 → int32 (tensor cores, vitdse's exact path), 1 bf16.
void BM_CudaCublasReference(benchmark::State& state) {
  if (!have_gpu(state)) return;
  const bool bf16 = state.range(0) == 1;
  const std::size_t elem = bf16 ? 2 : 1;
  cuda::Buffer a(0, std::size_t{kM} * kK * elem), b(0, std::size_t{kK} * kN * elem), c(0, std::size_t{kM} * kN * 4);
  a.upload(random_bytes(a.bytes(), 1).data(), a.bytes());  // bf16 bit patterns: any values time alike
  b.upload(random_bytes(b.bytes(), 2).data(), b.bytes());
  cublasHandle_t handle = nullptr;
  cublasCreate(&handle);
  const std::int32_t ione = 1, izero = 0;
  const float fone = 1, fzero = 0;
  const auto run = [&] {
    // Column-major: Cᵀ (N×M) = Bᵀ (N×K, stored as K-contiguous rows) · Aᵀ.
    if (bf16) {
      cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, kN, kM, kK, &fone, b.data(), CUDA_R_16BF, kK, a.data(),
                   CUDA_R_16BF, kK, &fzero, c.data(), CUDA_R_16BF, kN, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    } else {
      cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, kN, kM, kK, &ione, b.data(), CUDA_R_8I, kK, a.data(), CUDA_R_8I,
                   kK, &izero, c.data(), CUDA_R_32I, kN, CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT);
    }
    cudaDeviceSynchronize();
  };
  run();
  for (auto _ : state) run();
  cublasDestroy(handle);
  set_rates(state);
}
BENCHMARK(BM_CudaCublasReference)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// LutGemm::multiply as the evaluator calls it: A from the host, C back to it. Arg as above, or 2
/// for exact products (tensor cores).
void BM_CudaLutGemmWithCopies(benchmark::State& state) {
  if (!have_gpu(state)) return;
  std::mt19937 rng(3);
  std::vector<std::int32_t> t(65536);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto x = static_cast<std::int8_t>(i >> 8), y = static_cast<std::int8_t>(i & 0xFF);
    t[i] = state.range(0) == 0   ? static_cast<std::int16_t>(rng())
           : state.range(0) == 1 ? static_cast<std::int32_t>(rng())
                                 : x * y;
  }
  const vitdse::eval::LutGemm gemm(t, {8, true}, vitdse::eval::GemmPath::automatic, 0);
  const auto a = random_bytes(std::size_t{kM} * kK, 1), bt = random_bytes(std::size_t{kN} * kK, 2);
  const auto packed = gemm.pack_transposed(vitdse::eval::CodeView(bt.data(), kN, kK), vitdse::eval::Reuse::many);
  std::vector<std::int32_t> c(std::size_t{kM} * kN);
  const auto run = [&] {
    gemm.multiply(vitdse::eval::CodeView(a.data(), kM, kK), packed, vitdse::eval::Int32View(c.data(), kM, kN));
  };
  run();
  for (auto _ : state) run();
  state.SetLabel(std::string(gemm.gpu_kernel()));
  set_rates(state);
}
BENCHMARK(BM_CudaLutGemmWithCopies)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// DeiT-S (random weights), 224×224, batch 256, every GEMM through DRUM k=4's 8-bit table (16-bit
/// entries, not exact: the lookup-table kernel). Arg 0: all on the CPU; 1: weight GEMMs on cuda:0.
void BM_CudaDeitSmallForward(benchmark::State& state) {
  const bool gpu = state.range(0) == 1;
  if (gpu && !have_gpu(state)) return;
  const auto card = vitdse::model::load_model_card("deit-small");
  const vitdse::model::Workload workload(card);
  const vitdse::eval::VitEngine engine(card, vitdse::eval::random_vit_weights(card, 0));
  constexpr int kBatch = 256;
  std::mt19937 rng(5);
  std::normal_distribution<float> pixel(0, 1);
  std::vector<float> images(engine.image_size() * kBatch);
  for (auto& p : images) p = pixel(rng);
  const auto samples = vitdse::eval::ActivationSamples::record(
      engine, std::span<const float>(images.data(), engine.image_size() * 4), 4);
  const auto design = vitdse::model::parse_design("defaults: {mult: \"drum:8s:k=4\"}", "bench", workload);
  const vitdse::eval::DesignDatapath dp(engine, workload, design, samples, {}, gpu ? 0 : -1);
  for (auto _ : state) benchmark::DoNotOptimize(engine.forward(images, kBatch, &dp));
  state.counters["images/s"] = benchmark::Counter(kBatch, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_CudaDeitSmallForward)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(2);

}  // namespace vitdse::bench::cuda_gemm

// The GPU back end: its GEMMs give the CPU kernels' bits, and a design scores the same on either
// device. Without a GPU (or a CUDA build) these tests skip, saying why.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "test_util.hpp"
#include "vitdse/eval/cpu_evaluator.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/eval/lut_gemm.hpp"

namespace vitdse::eval {
namespace {

/// Skips the test where GPU 0 cannot run kernels.
#define REQUIRE_GPU()                                                       \
  do {                                                                      \
    const std::string why = device_unavailable(Device::cuda(0));            \
    if (!why.empty()) GTEST_SKIP() << "no GPU for the CUDA tests: " << why; \
  } while (false)

std::vector<std::uint8_t> random_codes(std::size_t n, std::mt19937& rng) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> v(n);
  for (auto& c : v) c = static_cast<std::uint8_t>(byte(rng));
  return v;
}

std::vector<std::int32_t> random_table(arith::Width w, std::int64_t low, std::int64_t high, std::mt19937& rng) {
  std::uniform_int_distribution<std::int64_t> entry(low, high);
  std::vector<std::int32_t> t(std::size_t{1} << (2 * w.bits));
  for (auto& e : t) e = static_cast<std::int32_t>(entry(rng));
  return t;
}

std::vector<std::int32_t> exact_table(arith::Width w) {
  const int side = 1 << w.bits;
  std::vector<std::int32_t> t(static_cast<std::size_t>(side * side));
  const auto value = [&](int c) { return w.is_signed && c >= side / 2 ? c - side : c; };
  for (int a = 0; a < side; ++a) {
    for (int b = 0; b < side; ++b) t[static_cast<std::size_t>(a * side + b)] = value(a) * value(b);
  }
  return t;
}

/// GPU against the portable CPU kernel on `shapes` (M, K, N), A and C strided as in attention.
void expect_same_bits(const std::vector<std::int32_t>& table, arith::Width w, const std::string& gpu_kernel) {
  const LutGemm cpu(table, w, GemmPath::portable);
  const LutGemm gpu(table, w, GemmPath::portable, 0);
  EXPECT_EQ(gpu.gpu_kernel(), gpu_kernel);
  std::mt19937 rng(7);
  for (const auto& [m, k, n] : std::vector<std::array<std::size_t, 3>>{
           {1, 1, 1}, {3, 5, 7}, {129, 33, 131}, {197, 64, 197}, {300, 384, 10}, {64, 385, 257}, {17, 0, 9}}) {
    const std::size_t lda = k + 3, ldc = n + 5;
    const auto a = random_codes(m * lda, rng), bt = random_codes(n * k, rng);
    const CodeView av(a.data(), m, k, lda), btv(bt.data(), n, k);
    std::vector<std::int32_t> want(m * ldc, -1), got(m * ldc, -1);
    cpu.multiply(av, cpu.pack_transposed(btv, Reuse::many), Int32View(want.data(), m, n, ldc));
    const PackedOperand packed = gpu.pack_transposed(btv, Reuse::many);
    EXPECT_EQ(packed.layout, gpu_kernel);
    gpu.multiply(av, packed, Int32View(got.data(), m, n, ldc));
    EXPECT_EQ(got, want) << gpu_kernel << " at M " << m << " K " << k << " N " << n;
  }
}

TEST(CudaGemm, AnyTableGivesTheCpuKernelsBits) {
  REQUIRE_GPU();
  std::mt19937 rng(1);
  // 16-bit entries (shared memory), unsigned 16-bit ones, and 32-bit ones that wrap in int32 sums.
  expect_same_bits(random_table({8, true}, -32768, 32767, rng), {8, true}, "cuda-lut-s16");
  expect_same_bits(random_table({8, false}, 0, 65535, rng), {8, false}, "cuda-lut-u16");
  expect_same_bits(random_table({8, true}, INT32_MIN, INT32_MAX, rng), {8, true}, "cuda-lut-s32");
  // Narrow codes are read modulo 2^bits: the upper bits of every byte are ignored.
  expect_same_bits(random_table({5, true}, -3000, 3000, rng), {5, true}, "cuda-lut-s16");
  expect_same_bits(random_table({3, false}, -100000, 100000, rng), {3, false}, "cuda-lut-s32");
}

TEST(CudaGemm, ExactTablesRunOnTheTensorCoresWithTheSameBits) {
  REQUIRE_GPU();
  expect_same_bits(exact_table({8, true}), {8, true}, "cuda-int8-tensor-core");
  expect_same_bits(exact_table({4, true}), {4, true}, "cuda-int8-tensor-core");
  expect_same_bits(exact_table({7, false}), {7, false}, "cuda-int8-tensor-core");
  expect_same_bits(exact_table({8, false}), {8, false}, "cuda-lut-u16");  // 0..255 does not fit int8
}

TEST(CudaGemm, ProductsWithoutWeightsStayOnTheCpu) {
  REQUIRE_GPU();
  const LutGemm gemm(exact_table({8, true}), {8, true}, GemmPath::portable, 0);
  const std::vector<std::uint8_t> b(6, 1);
  EXPECT_EQ(gemm.pack(CodeView(b.data(), 2, 3), Reuse::once).layout, gemm.kernel());
  EXPECT_EQ(gemm.pack(CodeView(b.data(), 2, 3), Reuse::many).layout, gemm.gpu_kernel());
}

TEST(CudaEvaluator, DesignsScoreTheSameOnTheGpuAsOnTheCpu) {
  REQUIRE_GPU();
  if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto card = model::load_model_card("vit-fmnist");
  const model::Workload workload(card);
  EvalOptions options;
  options.images = 500;
  const auto source = resolve_dataset(card, std::string(test::kFashionMnist));
  const CpuEvaluator cpu(card, load_vit_weights(card), source, options);
  const CpuEvaluator gpu(card, load_vit_weights(card), source, options, Device::cuda(0));
  EXPECT_EQ(gpu.fingerprint(), cpu.fingerprint());  // the cache key does not know the device
  // One design per unit family, SC, log2 softmax, the transforms and both prunings.
  for (const std::string d :
       {"mult: \"exact:8s\"", "mult: \"drum:8s:k=4\", wbits: 6, abits: 6", "mult: \"mitchell:8u\"",
        "mult: \"sc:8s:L=64\"", "mult: \"trunc:8s:t=6\"", "mult: \"roba:8s\"",
        "mult: \"exact:8s\", softmax: \"softmax:log2\", abits: 6",
        "gelu: \"gelu:ibert\", softmax: \"softmax:shiftmax\"", "gelu: \"gelu:sc:L=32\", softmax: \"softmax:sc:L=64\"",
        "abits: 4, transform: migrate+shift", "mult: \"drum:8s:k=3\", token_keep: 0.6", "ffn2_prune: 0.5",
        "ffn2_prune: 0.5, ffn2_mode: static", "mult: \"exact:4s\", wbits: 4, abits: 4"}) {
    const auto design = model::parse_design("defaults: {" + d + "}", "d.yaml", workload);
    const EvalReport a = cpu.evaluate(design, workload), b = gpu.evaluate(design, workload);
    EXPECT_EQ(a.top1_pct, b.top1_pct) << d;
    EXPECT_EQ(a.agreement_pct, b.agreement_pct) << d;
    EXPECT_EQ(a.kl_mean, b.kl_mean) << d;  // the logits are bit-identical
    EXPECT_EQ(a.logit_mse, b.logit_mse) << d;
  }
}

}  // namespace
}  // namespace vitdse::eval

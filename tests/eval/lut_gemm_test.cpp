// Lookup-table GEMM: every kernel against the plain triple loop over arith::build_lut's table.
#include "vitdse/eval/lut_gemm.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cstdlib>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "test_util.hpp"
#include "vitdse/arith/metrics.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval {

namespace {

/// A product table in build_lut's layout, with its width.
struct Table {
  std::string name;
  std::vector<std::int32_t> entries;
  arith::Width width;
};

Table multiplier_table(const std::string& spec) {
  const auto m = arith::make_multiplier(spec);
  return {spec, arith::build_lut(*m), {m->bits(), m->is_signed()}};
}

/// Random entries drawn from [lo, hi]: nothing a circuit would compute, so nothing to lean on.
Table random_table(const std::string& name, arith::Width width, std::int64_t lo, std::int64_t hi) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> value(lo, hi);
  Table t{name, std::vector<std::int32_t>(std::size_t{1} << (2 * width.bits)), width};
  for (auto& e : t.entries) e = static_cast<std::int32_t>(value(rng));
  return t;
}

/// An owned row-major code matrix.
struct Codes {
  std::size_t rows, cols;
  std::vector<std::uint8_t> data;
  [[nodiscard]] CodeView view() const { return {data.data(), rows, cols}; }
};

/// Codes in range for `w`, or any byte when `any_byte` (codes are read modulo 2^bits).
Codes random_codes(std::size_t rows, std::size_t cols, arith::Width w, std::mt19937& rng, bool any_byte = false) {
  Codes c{rows, cols, std::vector<std::uint8_t>(rows * cols)};
  const int lo = w.is_signed ? -(1 << (w.bits - 1)) : 0, hi = w.is_signed ? (1 << (w.bits - 1)) - 1 : (1 << w.bits) - 1;
  std::uniform_int_distribution<int> value(any_byte ? 0 : lo, any_byte ? 255 : hi);
  for (auto& x : c.data) x = static_cast<std::uint8_t>(value(rng));
  return c;
}

/// The reference: the plain lookup-table triple loop, wrapping in uint32 like int32 hardware.
std::vector<std::int32_t> reference(const Table& t, CodeView a, CodeView b) {
  const std::uint32_t side = 1U << t.width.bits, mask = side - 1;
  std::vector<std::int32_t> c(a.rows * b.cols);
  for (std::size_t i = 0; i < a.rows; ++i) {
    for (std::size_t j = 0; j < b.cols; ++j) {
      std::uint32_t sum = 0;
      for (std::size_t k = 0; k < a.cols; ++k) {
        sum += static_cast<std::uint32_t>(t.entries[(a(i, k) & mask) * side + (b(k, j) & mask)]);
      }
      c[i * b.cols + j] = static_cast<std::int32_t>(sum);
    }
  }
  return c;
}

std::vector<std::int32_t> run(const LutGemm& gemm, const Codes& a, const Codes& b, Reuse reuse = Reuse::once) {
  std::vector<std::int32_t> c(a.rows * b.cols, -1);
  gemm.multiply(a.view(), gemm.pack(b.view(), reuse), {c.data(), a.rows, b.cols});
  return c;
}

std::vector<Table> tables() {
  return {multiplier_table("exact:8s"),
          multiplier_table("exact:8u"),
          multiplier_table("drum:8s:k=4"),
          multiplier_table("mitchell:8u"),
          multiplier_table("trunc:8s:t=6"),
          multiplier_table("sc:8u:L=64"),
          multiplier_table("exact:4s"),
          multiplier_table("drum:6u:k=3"),
          random_table("random 16-bit", {8, true}, -32768, 32767),
          random_table("random 32-bit", {8, false}, INT32_MIN, INT32_MAX),
          random_table("random 8-bit, 5 bits wide", {5, true}, -100, 100)};
}

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}

bool cpu_has_vbmi() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bw") != 0 && __builtin_cpu_supports("avx512vbmi") != 0;
}

/// Every path this CPU runs: automatic (AVX-512 where present), AVX2, portable.
std::vector<GemmPath> paths() {
  std::vector<GemmPath> p{GemmPath::automatic, GemmPath::portable};
  if (cpu_has_avx2()) p.push_back(GemmPath::avx2);
  return p;
}

/// Operands packed for one product and for many rows (the AVX2 kernel's row tables).
const Reuse kReuses[] = {Reuse::once, Reuse::many};

}  // namespace

TEST(LutGemm, MatchesTheTripleLoopOnOddShapes) {
  const std::size_t sizes[] = {1, 3, 17, 63, 65, 129};
  std::mt19937 rng(11);
  for (const auto& t : tables()) {
    for (const auto path : paths()) {
      const LutGemm gemm(t.entries, t.width, path);
      for (const auto m : sizes) {
        for (const auto k : {std::size_t{1}, std::size_t{17}, std::size_t{65}}) {
          for (const auto n : sizes) {
            if (m * n > 129 * 63) continue;  // the large corner adds time, not coverage
            const auto a = random_codes(m, k, t.width, rng), b = random_codes(k, n, t.width, rng);
            for (const auto reuse : kReuses) {
              ASSERT_EQ(run(gemm, a, b, reuse), reference(t, a.view(), b.view()))
                  << t.name << " on " << gemm.kernel() << ", M K N = " << m << " " << k << " " << n << ", reuse "
                  << static_cast<int>(reuse);
            }
          }
        }
      }
    }
  }
}

TEST(LutGemm, LongSumsCrossTheKernelsChunks) {
  // 16-bit partial sums are widened every 256 k; 600 crosses that twice, unevenly.
  std::mt19937 rng(12);
  for (const auto& t : tables()) {
    for (const auto path : paths()) {
      const LutGemm gemm(t.entries, t.width, path);
      const auto a = random_codes(5, 600, t.width, rng), b = random_codes(600, 70, t.width, rng);
      for (const auto reuse : kReuses) {
        EXPECT_EQ(run(gemm, a, b, reuse), reference(t, a.view(), b.view())) << t.name << " on " << gemm.kernel();
      }
    }
  }
}

TEST(LutGemm, ExtremeCodesAccumulateAndWrapLikeInt32) {
  const std::size_t depth = 777;
  for (const auto& t : {multiplier_table("exact:8s"), multiplier_table("exact:8u"), multiplier_table("drum:8s:k=4"),
                        random_table("random 32-bit", {8, true}, INT32_MIN, INT32_MAX)}) {
    const std::uint8_t lo = t.width.is_signed ? 0x80 : 0x00, hi = t.width.is_signed ? 0x7F : 0xFF;
    for (const auto path : paths()) {
      const LutGemm gemm(t.entries, t.width, path);
      for (const auto& [x, y] : {std::pair{lo, lo}, std::pair{hi, hi}, std::pair{lo, hi}, std::pair{hi, lo}}) {
        const Codes a{3, depth, std::vector<std::uint8_t>(3 * depth, x)};
        const Codes b{depth, 67, std::vector<std::uint8_t>(depth * 67, y)};
        EXPECT_EQ(run(gemm, a, b), reference(t, a.view(), b.view()))
            << t.name << " on " << gemm.kernel() << " with codes " << int{x} << ", " << int{y};
      }
    }
  }
  // All -128 by all -128 over 777 terms is 777 · 16384: no wrap, so the value itself is known.
  const auto t = multiplier_table("exact:8s");
  const Codes a{1, depth, std::vector<std::uint8_t>(depth, 0x80)}, b{depth, 1, std::vector<std::uint8_t>(depth, 0x80)};
  EXPECT_EQ(run(LutGemm(t.entries, t.width), a, b), std::vector<std::int32_t>{777 * 16384});
}

TEST(LutGemm, ReadsCodesModuloTheWidth) {
  std::mt19937 rng(13);
  for (const auto& t : {multiplier_table("exact:4s"), multiplier_table("drum:6u:k=3"), multiplier_table("exact:5u")}) {
    for (const auto path : paths()) {
      const LutGemm gemm(t.entries, t.width, path);
      const auto a = random_codes(9, 33, t.width, rng, true), b = random_codes(33, 70, t.width, rng, true);
      EXPECT_EQ(run(gemm, a, b), reference(t, a.view(), b.view())) << t.name << " on " << gemm.kernel();
    }
  }
}

TEST(LutGemm, EmptyShapes) {
  const auto t = multiplier_table("drum:8s:k=4"), e = multiplier_table("exact:8s");
  std::mt19937 rng(15);
  for (const auto* table : {&t, &e}) {
    for (const auto path : paths()) {
      const LutGemm gemm(table->entries, table->width, path);
      for (const auto& [m, k, n] : {std::tuple<std::size_t, std::size_t, std::size_t>{4, 0, 5}, {0, 3, 5}, {4, 3, 0}}) {
        const auto a = random_codes(m, k, t.width, rng), b = random_codes(k, n, t.width, rng);
        EXPECT_EQ(run(gemm, a, b), std::vector<std::int32_t>(m * n, 0)) << gemm.kernel() << " " << m << k << n;
      }
    }
  }
}

TEST(LutGemm, KeepsTheOperandOrder) {
  // A table that is far from symmetric: T(a, b) = 1000·a + b.
  Table t{"1000a + b", std::vector<std::int32_t>(65536), {8, false}};
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) t.entries[static_cast<std::size_t>(256 * a + b)] = 1000 * a + b;
  }
  const Codes a{1, 1, {3}}, b{1, 1, {5}};
  for (const auto path : paths())
    EXPECT_EQ(run(LutGemm(t.entries, t.width, path), a, b), std::vector<std::int32_t>{3005});
}

TEST(LutGemm, TransposedPackingStridedViewsAndThreadCounts) {
  std::mt19937 rng(14);
  for (const auto& t : {multiplier_table("drum:8s:k=4"), multiplier_table("exact:8s")}) {
    for (const auto path : paths()) {
      const LutGemm gemm(t.entries, t.width, path);
      // Q·K^T for one head of a fused [tokens × 3·dim] buffer: both operands are strided views.
      const std::size_t tokens = 70, dim = 96, head = 32;
      const auto qkv = random_codes(tokens, 3 * dim, t.width, rng);
      const CodeView q{qkv.data.data() + head, tokens, head, 3 * dim};
      const CodeView key{qkv.data.data() + dim + head, tokens, head, 3 * dim};
      Codes key_t{head, tokens, std::vector<std::uint8_t>(head * tokens)};
      for (std::size_t r = 0; r < tokens; ++r) {
        for (std::size_t c = 0; c < head; ++c) key_t.data[c * tokens + r] = key(r, c);
      }
      const auto expected = reference(t, q, key_t.view());
      for (const auto reuse : kReuses) {
        const auto packed = gemm.pack_transposed(key, reuse);
        for (const int threads : {1, 2}) {
          // Written into the middle of a wider buffer, which must stay untouched around it.
          std::vector<std::int32_t> wide(tokens * (tokens + 5), 42);
          tbb::task_arena(threads).execute([&] {
            gemm.multiply(q, packed, {wide.data() + 2, tokens, tokens, tokens + 5});
          });
          for (std::size_t i = 0; i < tokens; ++i) {
            for (std::size_t j = 0; j < tokens + 5; ++j) {
              const auto want = j >= 2 && j < tokens + 2 ? expected[i * tokens + j - 2] : 42;
              ASSERT_EQ(wide[i * (tokens + 5) + j], want)
                  << t.name << " on " << gemm.kernel() << ", " << threads << " threads, at " << i << ", " << j;
            }
          }
        }
      }
    }
  }
}

// VITDSE_GEMM_KERNEL=portable makes the automatic path portable for the whole process (each
// ctest test is one).
TEST(LutGemm, TheEnvironmentForcesThePortablePathAndABadValueIsOneLine) {
  struct Restore {
    ~Restore() { ::unsetenv("VITDSE_GEMM_KERNEL"); }
  } restore;
  const bool vbmi = cpu_has_vbmi();
  const std::string automatic = vbmi ? "avx512-vbmi-lut" : cpu_has_avx2() ? "avx2-row-table-lut" : "portable-lut";
  const auto drum = arith::make_multiplier("drum:8s:k=4");
  ASSERT_EQ(::setenv("VITDSE_GEMM_KERNEL", "portable", 1), 0);
  EXPECT_EQ(LutGemm(*drum).kernel(), "portable-lut");
  EXPECT_EQ(LutGemm(*arith::make_multiplier("exact:8s")).kernel(), "portable-exact");
  ASSERT_EQ(::setenv("VITDSE_GEMM_KERNEL", "auto", 1), 0);
  EXPECT_EQ(LutGemm(*drum).kernel(), automatic);
  ASSERT_EQ(::setenv("VITDSE_GEMM_KERNEL", "avx2", 1), 0);
  if (cpu_has_avx2()) {
    EXPECT_EQ(LutGemm(*drum).kernel(), "avx2-row-table-lut");
    EXPECT_EQ(LutGemm(*arith::make_multiplier("exact:8s")).kernel(), "portable-exact");
  } else {
    EXPECT_EQ(vitdse::test::error_of([&] { (void)LutGemm(*drum); }),
              "VITDSE_GEMM_KERNEL=avx2: this CPU (or build) has no AVX2");
  }
  ASSERT_EQ(::setenv("VITDSE_GEMM_KERNEL", "avx9\n", 1), 0);
  const std::string message = vitdse::test::error_of([&] { (void)LutGemm(*drum); });
  EXPECT_EQ(message, "VITDSE_GEMM_KERNEL='avx9\\x0a' is not a kernel path; use auto, avx2 or portable");
  ASSERT_EQ(::unsetenv("VITDSE_GEMM_KERNEL"), 0);
  EXPECT_EQ(gemm_path_from_environment(), GemmPath::automatic);
  EXPECT_EQ(LutGemm(*drum).kernel(), automatic);
}

TEST(LutGemm, PicksTheExactKernelForExactTables) {
  EXPECT_TRUE(LutGemm(*arith::make_multiplier("exact:8s")).exact());
  EXPECT_TRUE(LutGemm(*arith::make_multiplier("exact:3u")).exact());
  EXPECT_FALSE(LutGemm(*arith::make_multiplier("drum:8s:k=4")).exact());
  EXPECT_EQ(LutGemm(*arith::make_multiplier("exact:8s"), GemmPath::portable).kernel(), "portable-exact");
  EXPECT_EQ(LutGemm(*arith::make_multiplier("mitchell:8u"), GemmPath::portable).kernel(), "portable-lut");
}

TEST(LutGemm, RejectsMismatchesWithOneLine) {
  const LutGemm gemm(*arith::make_multiplier("drum:8s:k=4"));
  const Codes a{2, 3, std::vector<std::uint8_t>(6)}, b{4, 5, std::vector<std::uint8_t>(20)};
  std::vector<std::int32_t> c(10);
  const auto expect_error = [](auto&& f, const std::string& part) {
    try {
      f();
      ADD_FAILURE() << "no error; expected one mentioning " << part;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error([&] { gemm.multiply(a.view(), gemm.pack(b.view()), {c.data(), 2, 5}); }, "A 2×3 · B 4×5");
  const LutGemm portable(*arith::make_multiplier("drum:8s:k=4"), GemmPath::portable);
  if (portable.kernel() != gemm.kernel()) {
    expect_error([&] { gemm.multiply(a.view(), portable.pack(b.view()), {c.data(), 2, 5}); }, "pack it with this");
  }
  const LutGemm narrow(*arith::make_multiplier("drum:6s:k=3"));
  expect_error([&] { gemm.multiply(a.view(), narrow.pack(b.view()), {c.data(), 2, 5}); }, "width 6");
  expect_error([&] { LutGemm(std::vector<std::int32_t>(100), arith::Width{8, true}); }, "65536 entries, not 100");
  expect_error([&] { LutGemm(*arith::make_multiplier("exact:12s")); }, "allowed 2..8");
  expect_error([&] { (void)gemm.pack(CodeView{b.data.data(), 4, 5, 3}); }, "stride");
}

}  // namespace vitdse::eval

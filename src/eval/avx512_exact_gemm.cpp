// The AVX-512 VNNI exact kernel: integer GEMM with VPDPBUSD, four byte products per lane.
#include <algorithm>
#include <array>
#include <cstring>

#include "gemm_kernel.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#ifndef __clang__
// GCC 12 reports the intrinsics' own _mm512_undefined_* placeholders as maybe-uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define VITDSE_AVX512_EXACT 1
#define VITDSE_TARGET_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))
#endif

namespace vitdse::eval::detail {

#ifdef VITDSE_AVX512_EXACT
namespace {

// VPDPBUSD multiplies unsigned bytes of A by signed bytes of B and adds groups of four into
// int32 lanes, wrapping like the reference loop. Signed operands go in as a + 128 and b, so
// 128·sum_k b is taken off each column; unsigned ones as a and b - 128, so 128·sum_k a is put
// back on each row. Both corrections are exact modulo 2^32.

constexpr std::size_t kCols = 16;  // columns per group: one int32 lane each
constexpr std::size_t kQuad = 4;   // k steps per VPDPBUSD
constexpr int kRows = 4;           // rows per tile: kRows × kMaxGroups accumulators
constexpr int kMaxGroups = 4;

/// Rows × J·16 sums of a tile; `a` holds R rows of `quads`·4 bytes, `b` J groups of packed codes.
template <int R, int J>
VITDSE_TARGET_VNNI void exact_tile(const std::uint8_t* a, std::size_t quads, const std::uint8_t* b,
                                   std::uint32_t* out) {
  __m512i sum[R][J];
  for (int r = 0; r < R; ++r) {
    for (int g = 0; g < J; ++g) sum[r][g] = _mm512_setzero_si512();
  }
  for (std::size_t q = 0; q < quads; ++q) {
    __m512i bq[J];
    for (int g = 0; g < J; ++g) bq[g] = _mm512_loadu_si512(b + (static_cast<std::size_t>(g) * quads + q) * 64);
    for (int r = 0; r < R; ++r) {
      std::int32_t four = 0;
      std::memcpy(&four, a + static_cast<std::size_t>(r) * quads * kQuad + q * kQuad, sizeof four);
      const __m512i aq = _mm512_set1_epi32(four);
      for (int g = 0; g < J; ++g) sum[r][g] = _mm512_dpbusd_epi32(sum[r][g], aq, bq[g]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int g = 0; g < J; ++g) {
      _mm512_storeu_si512(out + static_cast<std::size_t>(r * kMaxGroups + g) * kCols, sum[r][g]);
    }
  }
}

using TileFn = void (*)(const std::uint8_t*, std::size_t, const std::uint8_t*, std::uint32_t*);

template <int R, int... J>
constexpr std::array<TileFn, kMaxGroups> tile_fns(std::integer_sequence<int, J...> /*groups*/) {
  return {&exact_tile<R, J + 1>...};
}

class Avx512ExactKernel final : public GemmKernel {
 public:
  explicit Avx512ExactKernel(arith::Width width) : width_(width) {}

  [[nodiscard]] std::string_view name() const override { return "avx512-vnni-exact"; }

  /// Groups of 16 columns, then k in fours: lane l of quad q holds b[4q .. 4q+3][16g + l].
  void pack(const RightOperand& b, Reuse /*reuse*/, PackedOperand& out) const override {
    const std::size_t depth = b.rows(), n = b.cols(), groups = (n + kCols - 1) / kCols;
    const std::size_t quads = (depth + kQuad - 1) / kQuad;
    out.codes.assign(groups * quads * 64, 0);
    out.column_terms.assign(groups * kCols, 0);
    for (std::size_t j = 0; j < n; ++j) {
      std::uint32_t sum = 0;
      for (std::size_t k = 0; k < depth; ++k) {
        const std::int32_t v = code_value(b(k, j), width_);
        sum += static_cast<std::uint32_t>(v);
        const std::size_t at = ((j / kCols) * quads + k / kQuad) * 64 + (j % kCols) * kQuad + k % kQuad;
        out.codes[at] = static_cast<std::uint8_t>(width_.is_signed ? v : v - 128);
      }
      if (width_.is_signed) out.column_terms[j] = static_cast<std::int32_t>(0U - 128U * sum);
    }
  }

  void multiply_rows(CodeView a, const PackedOperand& b, Int32View c, std::size_t begin,
                     std::size_t end) const override {
    static constexpr std::array<std::array<TileFn, kMaxGroups>, 2> fns = {
        tile_fns<1>(std::make_integer_sequence<int, kMaxGroups>{}),
        tile_fns<kRows>(std::make_integer_sequence<int, kMaxGroups>{})};
    const std::size_t depth = a.cols, quads = (depth + kQuad - 1) / kQuad, groups = (b.cols + kCols - 1) / kCols;
    std::vector<std::uint8_t> rows(kRows * quads * kQuad);
    std::array<std::uint32_t, kRows> row_terms{};
    alignas(64) std::array<std::uint32_t, kRows * kMaxGroups * kCols> out{};
    for (std::size_t i0 = begin; i0 < end;) {
      const std::size_t r_count = end - i0 >= kRows ? kRows : 1;
      std::fill(rows.begin(), rows.end(), 0);
      for (std::size_t r = 0; r < r_count; ++r) {
        std::uint32_t sum = 0;
        for (std::size_t k = 0; k < depth; ++k) {
          const std::int32_t v = code_value(a(i0 + r, k), width_);
          sum += static_cast<std::uint32_t>(v);
          rows[r * quads * kQuad + k] = static_cast<std::uint8_t>(width_.is_signed ? v + 128 : v);
        }
        row_terms[r] = width_.is_signed ? 0 : 128U * sum;
      }
      for (std::size_t g0 = 0; g0 < groups; g0 += kMaxGroups) {
        const std::size_t count = std::min<std::size_t>(kMaxGroups, groups - g0);
        fns[r_count == kRows ? 1 : 0][count - 1](rows.data(), quads, b.codes.data() + g0 * quads * 64, out.data());
        const std::size_t j0 = g0 * kCols, width = std::min(count * kCols, b.cols - j0);
        for (std::size_t r = 0; r < r_count; ++r) {
          std::int32_t* dst = c.row(i0 + r) + j0;
          const std::uint32_t* src = out.data() + r * kMaxGroups * kCols;
          for (std::size_t j = 0; j < width; ++j) {
            dst[j] =
                static_cast<std::int32_t>(src[j] + row_terms[r] + static_cast<std::uint32_t>(b.column_terms[j0 + j]));
          }
        }
      }
      i0 += r_count;
    }
  }

 private:
  arith::Width width_;
};

}  // namespace

std::unique_ptr<GemmKernel> make_avx512_exact_kernel(arith::Width width) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vnni")) return nullptr;
  return std::make_unique<Avx512ExactKernel>(width);
}

#else

std::unique_ptr<GemmKernel> make_avx512_exact_kernel(arith::Width /*width*/) { return nullptr; }

#endif

}  // namespace vitdse::eval::detail

// The AVX-512 VBMI lookup-table kernel: each left-operand code's table row, applied to 64
// columns of B at once with byte permutes.
#include <algorithm>
#include <cstring>

#include "gemm_kernel.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#ifndef __clang__
// GCC 12 reports the intrinsics' own _mm512_undefined_* placeholders as maybe-uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define VITDSE_AVX512_LUT 1
#define VITDSE_TARGET_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))
#endif

namespace vitdse::eval::detail {

#ifdef VITDSE_AVX512_LUT
namespace {

// For a fixed left code a, T[a][·] is a function of B's code with at most 256 entries. Less the
// table's minimum it is unsigned and splits into P byte planes (P = 2 for 16-bit products), each a
// 256-byte table that two masked VPERMI2B apply to 64 codes of B. Plane bytes of 64 columns are
// summed in 16-bit lanes (even and odd bytes apart) for up to 256 k, then widened to 32 bits.
// Every step is exact modulo 2^32, which is all the int32 reference loop keeps.

constexpr std::size_t kLanes = 64;   // columns per group: one byte each in a zmm register
constexpr std::size_t kChunk = 256;  // k steps whose byte sums stay below 2^16 (256 · 255)
constexpr int kMaxPlanes = 4;
constexpr std::size_t kAhead = 8;  // k steps between prefetching a table row and using it

/// The table less its minimum, in byte planes: plane p of row a at bytes[(a·P + p)·256].
struct Planes {
  int count = 1;
  std::vector<std::uint8_t> bytes;
  std::uint32_t bias = 0;  ///< the minimum, added back once per product
};

Planes split_into_planes(const CodeTable& t) {
  const std::size_t side = std::size_t{1} << t.width.bits;
  Planes p;
  std::int32_t least = t.entries[0];
  for (std::size_t a = 0; a < 256; ++a) least = std::min(least, *std::min_element(t.row(a), t.row(a) + side));
  p.bias = static_cast<std::uint32_t>(least);
  std::uint32_t widest = 0;
  for (std::size_t a = 0; a < 256; ++a) {
    for (std::size_t b = 0; b < side; ++b) widest |= static_cast<std::uint32_t>(t.row(a)[b]) - p.bias;
  }
  while (p.count < kMaxPlanes && (widest >> (8 * p.count)) != 0) ++p.count;
  const auto planes = static_cast<std::size_t>(p.count);
  p.bytes.assign(256 * planes * 256, 0);
  for (std::size_t a = 0; a < 256; ++a) {
    for (std::size_t b = 0; b < side; ++b) {
      const std::uint32_t v = static_cast<std::uint32_t>(t.row(a)[b]) - p.bias;
      for (std::size_t q = 0; q < planes; ++q)
        p.bytes[(a * planes + q) * 256 + b] = static_cast<std::uint8_t>(v >> (8 * q));
    }
  }
  return p;
}

/// Where the packed right operand keeps group g's step k: 64 codes, and the masks of the codes
/// at or above 128 and below it.
struct Layout {
  const std::uint8_t* codes;
  const std::uint8_t* masks;
  std::size_t depth;

  [[nodiscard]] std::size_t slot(std::size_t g, std::size_t k) const { return g * depth + k; }
  [[nodiscard]] std::uint64_t mask(std::size_t slot, int which) const {
    std::uint64_t m = 0;
    std::memcpy(&m, masks + (2 * slot + static_cast<std::size_t>(which)) * sizeof m, sizeof m);
    return m;
  }
};

/// sum_k T'[a_k][B[k][j]] for one row and the 64·J columns of groups g0 .. g0+J-1, into out.
/// `next_row` is the row of codes the following call reads (or nullptr), for prefetching.
template <int P, int J>
VITDSE_TARGET_VBMI inline void lut_groups(const std::uint8_t* a_row, const std::uint8_t* next_row, const Layout& b,
                                          std::size_t g0, const std::uint8_t* planes, std::uint32_t* out) {
  for (int x = 0; x < J * static_cast<int>(kLanes); ++x) out[x] = 0;
  for (std::size_t k0 = 0; k0 < b.depth; k0 += kChunk) {
    const std::size_t k1 = std::min(b.depth, k0 + kChunk);
    __m512i sum[P][J], odd[P][J];
    for (int p = 0; p < P; ++p) {
      for (int g = 0; g < J; ++g) sum[p][g] = odd[p][g] = _mm512_setzero_si512();
    }
    for (std::size_t k = k0; k < k1; ++k) {
      const std::uint8_t* row = planes + std::size_t{a_row[k]} * (P * 256);
      // The table (128 KiB at P = 2) lives in L2; asking for rows a few steps ahead hides that.
      const std::size_t f = k + kAhead;
      const std::uint8_t* ahead = f < b.depth                                    ? a_row + f
                                  : next_row != nullptr && f - b.depth < b.depth ? next_row + (f - b.depth)
                                                                                 : nullptr;
      if (ahead != nullptr) {
        for (int line = 0; line < 4 * P; ++line)
          __builtin_prefetch(planes + std::size_t{*ahead} * (P * 256) + 64 * line);
      }
      for (int g = 0; g < J; ++g) {
        const std::size_t slot = b.slot(g0 + static_cast<std::size_t>(g), k);
        const __m512i idx = _mm512_loadu_si512(b.codes + slot * kLanes);
        const __mmask64 high = _cvtu64_mask64(b.mask(slot, 0)), low = _cvtu64_mask64(b.mask(slot, 1));
        for (int p = 0; p < P; ++p) {
          const std::uint8_t* t = row + 256 * p;
          // Codes below 128 from the first half; the rest keep their code for the second.
          const __m512i half =
              _mm512_mask2_permutex2var_epi8(_mm512_loadu_si512(t), idx, low, _mm512_loadu_si512(t + 64));
          const __m512i r =
              _mm512_mask2_permutex2var_epi8(_mm512_loadu_si512(t + 128), half, high, _mm512_loadu_si512(t + 192));
          sum[p][g] = _mm512_add_epi16(sum[p][g], r);
          odd[p][g] = _mm512_add_epi16(odd[p][g], _mm512_srli_epi16(r, 8));
        }
      }
    }
    // Even bytes are column w, odd bytes column 32 + w (see pack); the even sums are what the
    // word sums hold besides 256 times the odd ones.
    for (int g = 0; g < J; ++g) {
      for (int p = 0; p < P; ++p) {
        const __m512i halves[2] = {_mm512_sub_epi16(sum[p][g], _mm512_slli_epi16(odd[p][g], 8)), odd[p][g]};
        for (int h = 0; h < 2; ++h) {
          const __m512i lo = _mm512_cvtepu16_epi32(_mm512_castsi512_si256(halves[h]));
          const __m512i hi = _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(halves[h], 1));
          std::uint32_t* d = out + static_cast<std::size_t>(g) * kLanes + 32 * static_cast<std::size_t>(h);
          _mm512_storeu_si512(d, _mm512_add_epi32(_mm512_loadu_si512(d), _mm512_slli_epi32(lo, 8 * p)));
          _mm512_storeu_si512(d + 16, _mm512_add_epi32(_mm512_loadu_si512(d + 16), _mm512_slli_epi32(hi, 8 * p)));
        }
      }
    }
  }
}

/// Rows [begin, end) of C with P planes, in passes over up to three column groups (6·P
/// accumulators) that share each table row's loads; two groups per pass measured slower even at
/// P = 4, where the registers spill.
template <int P>
VITDSE_TARGET_VBMI void lut_rows(CodeView a, const Layout& b, std::size_t n, const Planes& t, Int32View c,
                                 std::size_t begin, std::size_t end) {
  constexpr std::size_t step = 3;
  const std::size_t groups = (n + kLanes - 1) / kLanes;
  const __m512i bias = _mm512_set1_epi32(static_cast<std::int32_t>(t.bias * static_cast<std::uint32_t>(b.depth)));
  alignas(64) std::uint32_t out[step * kLanes];
  for (std::size_t i = begin; i < end; ++i) {
    for (std::size_t g0 = 0; g0 < groups; g0 += step) {
      const std::size_t count = std::min(step, groups - g0);
      const std::uint8_t* next = g0 + step < groups ? a.row(i) : i + 1 < end ? a.row(i + 1) : nullptr;
      if (count == 3) lut_groups<P, 3>(a.row(i), next, b, g0, t.bytes.data(), out);
      if (count == 2) lut_groups<P, 2>(a.row(i), next, b, g0, t.bytes.data(), out);
      if (count == 1) lut_groups<P, 1>(a.row(i), next, b, g0, t.bytes.data(), out);
      for (std::size_t x = 0; x < count * kLanes && g0 * kLanes + x < n; x += 16) {
        const std::size_t j = g0 * kLanes + x;
        const auto keep = static_cast<__mmask16>(n - j >= 16 ? 0xFFFF : (1U << (n - j)) - 1);
        _mm512_mask_storeu_epi32(c.row(i) + j, keep, _mm512_add_epi32(_mm512_load_si512(out + x), bias));
      }
    }
  }
}

class Avx512LutKernel final : public GemmKernel {
 public:
  explicit Avx512LutKernel(const CodeTable& t) : width_(t.width), planes_(split_into_planes(t)) {}

  [[nodiscard]] std::string_view name() const override { return "avx512-vbmi-lut"; }

  /// Groups of 64 columns, k by k; within a group byte 2w holds column w and byte 2w + 1
  /// column 32 + w, so the even/odd split of the sums comes out in column order. The masks
  /// follow all the codes.
  void pack(const RightOperand& b, Reuse /*reuse*/, PackedOperand& out) const override {
    const std::size_t depth = b.rows(), n = b.cols(), slots = (n + kLanes - 1) / kLanes * depth;
    const auto mask = static_cast<std::uint8_t>((1U << width_.bits) - 1);
    out.codes.assign(slots * (kLanes + 2 * sizeof(std::uint64_t)), 0);
    for (std::size_t s = 0; s < slots; ++s) {
      const std::size_t g = s / std::max<std::size_t>(depth, 1), k = s % std::max<std::size_t>(depth, 1);
      std::uint8_t* d = out.codes.data() + s * kLanes;
      std::uint64_t high = 0;
      for (std::size_t l = 0; l < kLanes; ++l) {
        const std::size_t j = g * kLanes + (l % 2) * 32 + l / 2;
        if (j < n) d[l] = b(k, j) & mask;
        high |= std::uint64_t{d[l] >= 128} << l;
      }
      const std::uint64_t masks[2] = {high, ~high};
      std::memcpy(out.codes.data() + slots * kLanes + s * sizeof masks, masks, sizeof masks);
    }
  }

  void multiply_rows(CodeView a, const PackedOperand& b, Int32View c, std::size_t begin,
                     std::size_t end) const override {
    const std::size_t slots = (b.cols + kLanes - 1) / kLanes * b.rows;
    const Layout layout{b.codes.data(), b.codes.data() + slots * kLanes, b.rows};
    switch (planes_.count) {
      case 1:
        return lut_rows<1>(a, layout, b.cols, planes_, c, begin, end);
      case 2:
        return lut_rows<2>(a, layout, b.cols, planes_, c, begin, end);
      case 3:
        return lut_rows<3>(a, layout, b.cols, planes_, c, begin, end);
      default:
        return lut_rows<4>(a, layout, b.cols, planes_, c, begin, end);
    }
  }

 private:
  arith::Width width_;
  Planes planes_;
};

}  // namespace

std::unique_ptr<GemmKernel> make_avx512_lut_kernel(const CodeTable& table) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vbmi")) return nullptr;
  return std::make_unique<Avx512LutKernel>(table);
}

#else

std::unique_ptr<GemmKernel> make_avx512_lut_kernel(const CodeTable& /*table*/) { return nullptr; }

#endif

}  // namespace vitdse::eval::detail

// The AVX-512 VBMI lookup-table kernel: each left-operand code's table row, applied to 64
// columns of B at once with byte permutes.
#include <algorithm>
#include <array>
#include <cstring>

#include "gemm_kernel.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
// GCC 12 reports the intrinsics' own _mm512_undefined_* placeholders as maybe-uninitialized.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#define VITDSE_AVX512_LUT 1
#define VITDSE_TARGET_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))
#endif

namespace vitdse::eval::detail {

#ifdef VITDSE_AVX512_LUT
namespace {

// For a fixed left code a, T[a][·] is a function of B's code with at most 256 entries. Less its
// row minimum it is unsigned and splits into P byte planes (P = 2 for 16-bit products), each a
// 256-byte table that two masked VPERMI2B apply to 64 codes of B. Plane bytes of 64 columns are
// summed in 16-bit lanes (even and odd bytes apart) for up to 256 k, then widened to 32 bits.
// Every step is exact modulo 2^32, which is all the int32 reference loop keeps.

constexpr std::size_t kLanes = 64;   // columns per group: one byte each in a zmm register
constexpr std::size_t kChunk = 256;  // k steps whose byte sums stay below 2^16 (256 · 255)
constexpr int kMaxPlanes = 4;
constexpr int kMaxGroups = 3;  // column groups per pass: accumulators and table rows fill the registers

/// The biased table in byte planes: plane p of row a at bytes[(a·P + p)·256].
struct Planes {
  int count = 1;
  std::vector<std::uint8_t> bytes;
  std::array<std::uint32_t, 256> bias{};  ///< row minimum, added back once per k
};

Planes split_into_planes(const CodeTable& t) {
  const std::size_t side = std::size_t{1} << t.width.bits;
  Planes p;
  std::uint32_t widest = 0;
  for (std::size_t a = 0; a < 256; ++a) {
    const std::int32_t* row = t.row(static_cast<std::uint8_t>(a));
    p.bias[a] = static_cast<std::uint32_t>(*std::min_element(row, row + side));
    for (std::size_t b = 0; b < side; ++b) widest |= static_cast<std::uint32_t>(row[b]) - p.bias[a];
  }
  while (p.count < kMaxPlanes && (widest >> (8 * p.count)) != 0) ++p.count;
  p.bytes.assign(256 * static_cast<std::size_t>(p.count) * 256, 0);
  for (std::size_t a = 0; a < 256; ++a) {
    const std::int32_t* row = t.row(static_cast<std::uint8_t>(a));
    for (std::size_t b = 0; b < side; ++b) {
      const std::uint32_t v = static_cast<std::uint32_t>(row[b]) - p.bias[a];
      for (int q = 0; q < p.count; ++q) {
        p.bytes[(a * static_cast<std::size_t>(p.count) + static_cast<std::size_t>(q)) * 256 + b] =
            static_cast<std::uint8_t>(v >> (8 * q));
      }
    }
  }
  return p;
}

/// One row of C over J column groups: adds sum_k T'[a_k][B[k][·]] into out[0 .. 64·J).
/// `groups` points at the first group's packed codes; group g, step k at (g·K + k)·64.
template <int P, int J>
VITDSE_TARGET_VBMI void lut_row(const std::uint8_t* a_row, std::size_t depth, const std::uint8_t* groups,
                                const std::uint8_t* planes, std::uint32_t* out) {
  for (std::size_t k0 = 0; k0 < depth; k0 += kChunk) {
    const std::size_t k1 = std::min(depth, k0 + kChunk);
    __m512i sum[P][J], odd[P][J];
    for (int p = 0; p < P; ++p) {
      for (int g = 0; g < J; ++g) sum[p][g] = odd[p][g] = _mm512_setzero_si512();
    }
    for (std::size_t k = k0; k < k1; ++k) {
      const std::uint8_t* row = planes + std::size_t{a_row[k]} * (P * 256);
      for (int g = 0; g < J; ++g) {
        const __m512i idx = _mm512_loadu_si512(groups + (static_cast<std::size_t>(g) * depth + k) * kLanes);
        const __mmask64 high = _mm512_movepi8_mask(idx), low = _knot_mask64(high);
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
      std::uint32_t* o = out + static_cast<std::size_t>(g) * kLanes;
      for (int p = 0; p < P; ++p) {
        const __m512i halves[2] = {_mm512_sub_epi16(sum[p][g], _mm512_slli_epi16(odd[p][g], 8)), odd[p][g]};
        for (int h = 0; h < 2; ++h) {
          const __m512i lo = _mm512_cvtepu16_epi32(_mm512_castsi512_si256(halves[h]));
          const __m512i hi = _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(halves[h], 1));
          std::uint32_t* d = o + 32 * h;
          _mm512_storeu_si512(d, _mm512_add_epi32(_mm512_loadu_si512(d), _mm512_slli_epi32(lo, 8 * p)));
          _mm512_storeu_si512(d + 16, _mm512_add_epi32(_mm512_loadu_si512(d + 16), _mm512_slli_epi32(hi, 8 * p)));
        }
      }
    }
  }
}

using RowFn = void (*)(const std::uint8_t*, std::size_t, const std::uint8_t*, const std::uint8_t*, std::uint32_t*);

template <int P, int... J>
constexpr std::array<RowFn, kMaxGroups> row_fns(std::integer_sequence<int, J...> /*groups*/) {
  return {&lut_row<P, J + 1>...};
}

int max_groups(int planes) { return planes <= 2 ? 3 : 2; }

class Avx512LutKernel final : public GemmKernel {
 public:
  explicit Avx512LutKernel(const CodeTable& t) : width_(t.width), planes_(split_into_planes(t)) {
    static constexpr std::array<std::array<RowFn, kMaxGroups>, kMaxPlanes> all = {
        row_fns<1>(std::make_integer_sequence<int, kMaxGroups>{}),
        row_fns<2>(std::make_integer_sequence<int, kMaxGroups>{}),
        row_fns<3>(std::make_integer_sequence<int, kMaxGroups>{}),
        row_fns<4>(std::make_integer_sequence<int, kMaxGroups>{})};
    fns_ = all[static_cast<std::size_t>(planes_.count - 1)];
  }

  [[nodiscard]] std::string_view name() const override { return "avx512-vbmi-lut"; }

  /// Groups of 64 columns, k by k; within a group byte 2w holds column w and byte 2w + 1
  /// column 32 + w, so the even/odd split of the sums comes out in column order.
  void pack(const RightOperand& b, PackedOperand& out) const override {
    const std::size_t depth = b.rows(), n = b.cols(), groups = (n + kLanes - 1) / kLanes;
    const auto mask = static_cast<std::uint8_t>((1U << width_.bits) - 1);
    out.codes.assign(groups * depth * kLanes, 0);
    for (std::size_t g = 0; g < groups; ++g) {
      for (std::size_t k = 0; k < depth; ++k) {
        std::uint8_t* d = out.codes.data() + (g * depth + k) * kLanes;
        for (std::size_t l = 0; l < kLanes; ++l) {
          const std::size_t j = g * kLanes + (l % 2) * 32 + l / 2;
          if (j < n) d[l] = b(k, j) & mask;
        }
      }
    }
  }

  void multiply_rows(CodeView a, const PackedOperand& b, Int32View c, std::size_t begin,
                     std::size_t end) const override {
    const std::size_t depth = a.cols, groups = (b.cols + kLanes - 1) / kLanes;
    const auto step = static_cast<std::size_t>(max_groups(planes_.count));
    alignas(64) std::array<std::uint32_t, kMaxGroups * kLanes> out{};
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint8_t* a_row = a.row(i);
      std::uint32_t bias = 0;
      for (std::size_t k = 0; k < depth; ++k) bias += planes_.bias[a_row[k]];
      for (std::size_t g0 = 0; g0 < groups; g0 += step) {
        const std::size_t count = std::min(step, groups - g0);
        std::fill(out.begin(), out.end(), bias);
        fns_[count - 1](a_row, depth, b.codes.data() + g0 * depth * kLanes, planes_.bytes.data(), out.data());
        const std::size_t j0 = g0 * kLanes, width = std::min(count * kLanes, b.cols - j0);
        std::memcpy(c.row(i) + j0, out.data(), width * sizeof(std::uint32_t));
      }
    }
  }

 private:
  arith::Width width_;
  Planes planes_;
  std::array<RowFn, kMaxGroups> fns_{};
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

// The AVX2 lookup-table kernel for CPUs without AVX-512 VBMI (AMD Zen 2 and 3, Intel Haswell to
// Cascade Lake): weights laid out as row tables, so each product is a vector load, not a lookup.
#include <algorithm>
#include <cstring>

#include "gemm_kernel.hpp"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define VITDSE_AVX2_LUT 1
#define VITDSE_TARGET_AVX2 __attribute__((target("avx2")))
#endif

namespace vitdse::eval::detail {

#ifdef VITDSE_AVX2_LUT
namespace {

// For fixed k and left code a, the products with row k of B are a vector over the columns:
// R[k][a][j] = T[a][B[k][j]]. Built once per packed weight matrix, the tables turn the GEMM into
// sums of R rows picked by A's codes, 8 columns per AVX2 add. Building them costs 256 lookups
// per element of B, so only operands packed for many rows get them; the others (attention's,
// packed per product) run the portable loop.
//
// Entries are stored less the table's minimum, in 16 bits, which every 8-bit product table's range
// allows: the tables take K·256·N·2 bytes. The minimum comes back once per sum, K times over, as
// a per-column term. A table whose range needs 32 bits (no circuit's; random `lut` files) keeps
// the portable loop: 32-bit row tables, twice the memory traffic, measured no faster than it.
//
// Layout: groups of kColumns columns, [group][k][a][kColumns]. A row's sums over a block of
// kBlockK steps of k stay in a register while the block's tables stay in cache; the sums between
// blocks and A's codes stream through in order.

constexpr std::size_t kColumns = 8;                            // one ymm register of uint32 sums
constexpr std::size_t kBlockK = 32;                            // k steps summed in a register
constexpr std::size_t kMaxTableBytes = std::size_t{64} << 20;  // larger layers keep the portable loop
constexpr std::size_t kTallGrain = 1024;                       // the fewest rows per task

/// One group's kColumns entries for left code a at step k, widened to uint32 lanes.
VITDSE_TARGET_AVX2 inline __m256i entries(const std::uint16_t* p) {
  return _mm256_cvtepu16_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(p)));
}

class Avx2LutKernel final : public GemmKernel {
 public:
  explicit Avx2LutKernel(const CodeTable& table) : table_(table), portable_(make_portable_lut_kernel(table)) {
    const std::size_t side = std::size_t{1} << table.width.bits;
    std::int32_t least = table.entries[0], most = table.entries[0];
    for (std::size_t a = 0; a < 256; ++a) {
      const auto [lo, hi] = std::minmax_element(table.row(a), table.row(a) + side);
      least = std::min(least, *lo);
      most = std::max(most, *hi);
    }
    bias_ = static_cast<std::uint32_t>(least);
    narrow_ = static_cast<std::uint32_t>(most) - bias_ <= 0xFFFF;
  }

  [[nodiscard]] std::string_view name() const override { return "avx2-row-table-lut"; }

  void pack(const RightOperand& b, Reuse reuse, PackedOperand& out) const override {
    portable_->pack(b, reuse, out);  // the codes, for operands without tables
    const std::size_t k_steps = b.rows(), n = b.cols(), groups = (n + kColumns - 1) / kColumns;
    const std::size_t count = groups * k_steps * 256 * kColumns;
    if (reuse != Reuse::many || !narrow_ || count * sizeof(std::uint16_t) > kMaxTableBytes) return;
    out.row_tables.assign(count * sizeof(std::uint16_t) / sizeof(std::int32_t), 0);  // count: a multiple of 8
    auto* bytes = reinterpret_cast<unsigned char*>(out.row_tables.data());
    for (std::size_t g = 0; g < groups; ++g) {
      const std::size_t width = std::min(kColumns, n - g * kColumns);
      for (std::size_t k = 0; k < k_steps; ++k) {
        const std::uint8_t* codes = out.codes.data() + k * n + g * kColumns;
        for (std::size_t a = 0; a < 256; ++a) {
          const std::int32_t* row = table_.row(a);
          const std::size_t at = ((g * k_steps + k) * 256 + a) * kColumns;
          for (std::size_t j = 0; j < width; ++j) {
            const auto v = static_cast<std::uint16_t>(static_cast<std::uint32_t>(row[codes[j]]) - bias_);
            std::memcpy(bytes + 2 * (at + j), &v, 2);
          }
        }
      }
    }
    // Each sum of K products holds the minimum K times.
    out.column_terms.assign(n, static_cast<std::int32_t>(bias_ * static_cast<std::uint32_t>(k_steps)));
  }

  [[nodiscard]] std::size_t grain_rows(const PackedOperand& b) const override {
    return b.row_tables.empty() ? portable_->grain_rows(b) : kTallGrain;
  }

  void multiply_rows(CodeView a, const PackedOperand& b, Int32View c, std::size_t begin,
                     std::size_t end) const override {
    if (b.row_tables.empty()) {
      portable_->multiply_rows(a, b, c, begin, end);
    } else {
      multiply_with_tables(reinterpret_cast<const std::uint16_t*>(b.row_tables.data()), a, b, c, begin, end);
    }
  }

 private:
  VITDSE_TARGET_AVX2 static void multiply_with_tables(const std::uint16_t* tables, CodeView a, const PackedOperand& b,
                                                      Int32View c, std::size_t begin, std::size_t end) {
    const std::size_t k_steps = b.rows, n = b.cols, groups = (n + kColumns - 1) / kColumns;
    // A group's sums for every row of the task, between blocks of k; uint32 lanes wrap as the
    // int32 reference loop does.
    AlignedVector<std::uint32_t> acc((end - begin) * kColumns);
    for (std::size_t g = 0; g < groups; ++g) {
      const std::uint16_t* group = tables + g * k_steps * 256 * kColumns;
      for (std::size_t k0 = 0; k0 < k_steps; k0 += kBlockK) {
        const std::size_t k1 = std::min(k_steps, k0 + kBlockK);
        for (std::size_t r = begin; r < end; ++r) {
          auto* sums = reinterpret_cast<__m256i*>(acc.data() + (r - begin) * kColumns);
          __m256i sum = k0 == 0 ? _mm256_setzero_si256() : _mm256_load_si256(sums);
          const std::uint8_t* codes = a.data + r * a.stride;
          for (std::size_t k = k0; k < k1; ++k)
            sum = _mm256_add_epi32(sum, entries(group + (k * 256 + codes[k]) * kColumns));
          _mm256_store_si256(sums, sum);
        }
      }
      const std::size_t width = std::min(kColumns, n - g * kColumns);
      for (std::size_t r = begin; r < end; ++r) {
        std::int32_t* out = c.row(r) + g * kColumns;
        for (std::size_t j = 0; j < width; ++j) {
          out[j] = static_cast<std::int32_t>(acc[(r - begin) * kColumns + j] +
                                             static_cast<std::uint32_t>(b.column_terms[g * kColumns + j]));
        }
      }
    }
  }

  CodeTable table_;
  std::unique_ptr<GemmKernel> portable_;
  std::uint32_t bias_ = 0;  ///< the table's least entry
  bool narrow_ = false;     ///< whether every entry less the bias fits 16 bits (row tables are built only then)
};

}  // namespace

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

std::unique_ptr<GemmKernel> make_avx2_lut_kernel(const CodeTable& table) {
  if (!cpu_has_avx2()) return nullptr;
  return std::make_unique<Avx2LutKernel>(table);
}

#else

bool cpu_has_avx2() { return false; }
std::unique_ptr<GemmKernel> make_avx2_lut_kernel(const CodeTable& /*table*/) { return nullptr; }

#endif

}  // namespace vitdse::eval::detail

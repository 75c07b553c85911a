// The kernels behind LutGemm: one interface, a portable family, the AVX-512 and AVX2 ones, and
// the GPU's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vitdse/arith/unit_spec.hpp"
#include "vitdse/eval/lut_gemm.hpp"
#include "vitdse/eval/matrix_view.hpp"

namespace vitdse::eval::detail {

/// The product table indexed by raw code bytes: entry [256·a + b] for every byte a (read
/// modulo 2^bits) and every b < 2^bits. The left operand needs no masking this way.
struct CodeTable {
  arith::Width width;
  std::vector<std::int32_t> entries;  ///< 256 × 256; columns from 2^bits on are unused

  [[nodiscard]] std::uint32_t mask() const { return (1U << width.bits) - 1; }
  [[nodiscard]] const std::int32_t* row(std::size_t a) const { return entries.data() + 256 * a; }
};

/// The right operand as given: K×N, or its N×K transpose.
struct RightOperand {
  CodeView view;
  bool transposed = false;

  [[nodiscard]] std::size_t rows() const { return transposed ? view.cols : view.rows; }
  [[nodiscard]] std::size_t cols() const { return transposed ? view.rows : view.cols; }
  [[nodiscard]] std::uint8_t operator()(std::size_t k, std::size_t j) const {
    return transposed ? view(j, k) : view(k, j);
  }
};

/// The value an n-bit code stands for (codes read modulo 2^n, sign-extended when signed).
inline std::int32_t code_value(std::uint8_t code, arith::Width w) {
  const std::uint32_t low = code & ((1U << w.bits) - 1);
  const std::uint32_t sign = w.is_signed ? 1U << (w.bits - 1) : 0;
  return static_cast<std::int32_t>(low ^ sign) - static_cast<std::int32_t>(sign);
}

/// One GEMM algorithm: how it lays out B and how it computes rows of C from A and that layout.
class GemmKernel {
 public:
  virtual ~GemmKernel() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// Fills `out.codes`, `out.column_terms` and `out.row_tables`; the caller has set the rest.
  virtual void pack(const RightOperand& b, Reuse reuse, PackedOperand& out) const = 0;
  /// Rows [begin, end) of C = A·B; shapes are already checked.
  virtual void multiply_rows(CodeView a, const PackedOperand& b, Int32View c, std::size_t begin,
                             std::size_t end) const = 0;
  /// Rows per parallel task: enough to amortise a task, few enough to balance two threads.
  [[nodiscard]] virtual std::size_t grain_rows(const PackedOperand& /*b*/) const { return 32; }
  /// All of C = A·B; by default rows are shared out over the calling thread's TBB arena (each
  /// task owns whole rows, so the sums do not depend on the thread count).
  virtual void multiply(CodeView a, const PackedOperand& b, Int32View c) const;
};

std::unique_ptr<GemmKernel> make_portable_lut_kernel(const CodeTable& table);
std::unique_ptr<GemmKernel> make_portable_exact_kernel(arith::Width width);
/// nullptr when this CPU lacks AVX-512 VBMI (or the build targets another architecture).
std::unique_ptr<GemmKernel> make_avx512_lut_kernel(const CodeTable& table);
/// nullptr when this CPU lacks AVX-512 VNNI (or the build targets another architecture).
std::unique_ptr<GemmKernel> make_avx512_exact_kernel(arith::Width width);
/// nullptr when this CPU lacks AVX2 (or the build targets another architecture).
std::unique_ptr<GemmKernel> make_avx2_lut_kernel(const CodeTable& table);
bool cpu_has_avx2();
/// The kernel for `table` on GPU `device` (`exact`: the table holds the exact products); throws
/// Error where this build has no CUDA back end or that GPU cannot be used.
std::unique_ptr<GemmKernel> make_cuda_kernel(const CodeTable& table, bool exact, int device);
/// True in a build with the CUDA back end.
bool cuda_built();
/// Why GPU `device` cannot run kernels ("" when it can).
std::string cuda_unavailable(int device);
/// GPU `device`'s name, memory and size; "" where this build has no CUDA back end.
std::string cuda_describe(int device);

}  // namespace vitdse::eval::detail

// Integer GEMM through a multiplier's product table: C[i][j] = sum over k of T(A[i][k], B[k][j]).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/unit_spec.hpp"
#include "vitdse/core/allocator.hpp"
#include "vitdse/eval/matrix_view.hpp"

namespace vitdse::eval {

namespace detail {
class GemmKernel;
}

/// The product table of signed n-bit codes a design runs a multiplier as, laid out as
/// arith::build_lut lays it out: the multiplier's own when signed; for an unsigned multiplier,
/// its sign-magnitude extension T(a, b) = sgn(a)·sgn(b)·T_u(|a|, |b|), whose magnitudes fit its
/// operands. Multipliers above 8 bits are an Error naming `spec`.
std::vector<std::int32_t> signed_code_table(const arith::Multiplier& m, const std::string& spec);

/// Which kernels a LutGemm may use. `automatic` takes the fastest this CPU runs (AVX-512 VNNI
/// for exact tables; for any other, AVX-512 VBMI byte permutes, else AVX2 row tables); `avx2`
/// keeps to the AVX2 kernel (exact tables take the portable one, which compilers vectorise);
/// `portable` keeps to the scalar kernels every CPU runs. All give the same bits. The
/// environment variable VITDSE_GEMM_KERNEL (auto, avx2, portable) sets `automatic`'s path for a
/// whole process, so a machine with AVX-512 runs and times these GEMMs as a CPU without it would.
enum class GemmPath { automatic, avx2, portable };

/// The path VITDSE_GEMM_KERNEL asks for: automatic when unset or "auto", avx2 for "avx2"
/// (an Error where the CPU lacks AVX2), portable for "portable"; any other value throws Error.
GemmPath gemm_path_from_environment();

/// How many rows of A a packed operand will meet: a kernel may spend on a layout of B that only
/// pays over many (weights, packed once per layer, meet every image's tokens).
enum class Reuse { once, many };

/// The right operand B (K×N) rearranged for one kernel. Weights are packed once per layer and
/// kernel; an activation operand (K of QK^T, V of AV) once per product. Its contents belong to
/// the kernel named by `layout`; only a LutGemm with that kernel and width may use it.
struct PackedOperand {
  std::size_t rows = 0, cols = 0;  ///< K and N
  std::string_view layout;         ///< the packing kernel's name
  arith::Width width;
  std::vector<std::uint8_t> codes;
  std::vector<std::int32_t> column_terms;  ///< per-column constants the kernel adds
  AlignedVector<std::int32_t> row_tables;  ///< B's products by left code, for kernels that build them
  std::shared_ptr<const void> device;      ///< GPU kernels: B in the GPU's memory, freed with the last copy
};

/// C = A·B where every product is looked up in an n-bit multiplier's table (n = 2..8) and
/// summed in int32 with wrap-around: the same bits as the plain triple loop
/// `C[i][j] += T[(A[i][k] mod 2^n)·2^n + (B[k][j] mod 2^n)]` over arith::build_lut's table.
/// Codes are read modulo 2^n, so in-range codes mean their values. The left operand's element
/// is the multiplier's first operand (tables need not be symmetric). Rows of C are shared out
/// over the calling thread's TBB arena; the result does not depend on the thread count.
///
/// Given a CUDA device, products whose right operand was packed with Reuse::many (weights) run
/// on that GPU (a table of 16-bit entries in shared memory; exact tables on the tensor cores),
/// with the same bits; the others stay on the CPU, where their small sizes run faster.
///
///     const LutGemm gemm(*arith::make_multiplier("drum:8s:k=4"));
///     const PackedOperand w = gemm.pack(weights);      // K×N codes, once per layer
///     gemm.multiply(activations, w, out);               // M×K codes -> M×N int32
class LutGemm {
 public:
  /// `cuda_device` ≥ 0 puts the weight products on that GPU; Error where it cannot be used.
  explicit LutGemm(const arith::Multiplier& m, GemmPath path = GemmPath::automatic, int cuda_device = -1);
  /// `table` laid out as arith::build_lut lays it out for `width`: 4^bits entries.
  LutGemm(std::span<const std::int32_t> table, arith::Width width, GemmPath path = GemmPath::automatic,
          int cuda_device = -1);
  ~LutGemm();
  LutGemm(LutGemm&&) noexcept;
  LutGemm& operator=(LutGemm&&) noexcept;

  /// Packs B given as K×N codes.
  [[nodiscard]] PackedOperand pack(CodeView b, Reuse reuse = Reuse::once) const;
  /// Packs B given as its transpose (N×K), as K is stored for QK^T and weights for x·Wᵀ.
  [[nodiscard]] PackedOperand pack_transposed(CodeView bt, Reuse reuse = Reuse::once) const;
  /// C (M×N) = A (M×K codes) · B. Throws Error when the shapes or the packing do not match.
  void multiply(CodeView a, const PackedOperand& b, Int32View c) const;

  /// The CPU kernel in use, e.g. "avx512-vbmi-lut", "avx2-row-table-lut" or "portable-lut".
  [[nodiscard]] std::string_view kernel() const;
  /// The GPU kernel for weight products ("cuda-lut-s16", "cuda-int8-tensor-core", ...), or "".
  [[nodiscard]] std::string_view gpu_kernel() const;
  [[nodiscard]] arith::Width width() const { return width_; }
  /// True when the table holds the exact products, which run on an integer GEMM kernel.
  [[nodiscard]] bool exact() const { return exact_; }

 private:
  arith::Width width_;
  bool exact_ = false;
  std::unique_ptr<const detail::GemmKernel> kernel_;
  std::unique_ptr<const detail::GemmKernel> gpu_;  ///< null: every product on the CPU
};

}  // namespace vitdse::eval

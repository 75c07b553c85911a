// Non-owning row-major matrix views: the operands and results of the integer GEMM kernels.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vitdse::eval {

/// A row-major matrix that someone else owns: element (r, c) is data[r * stride + c], so a
/// view can select columns of a wider matrix (one attention head of a fused QKV output).
///
///     std::vector<std::uint8_t> q(tokens * 3 * dim);
///     CodeView head{q.data() + h * head_dim, tokens, head_dim, 3 * dim};
template <class T>
struct MatrixView {
  T* data = nullptr;
  std::size_t rows = 0, cols = 0;
  std::size_t stride = 0;  ///< elements from one row to the next; at least cols

  MatrixView() = default;
  MatrixView(T* d, std::size_t r, std::size_t c) : data(d), rows(r), cols(c), stride(c) {}
  MatrixView(T* d, std::size_t r, std::size_t c, std::size_t s) : data(d), rows(r), cols(c), stride(s) {}

  [[nodiscard]] T* row(std::size_t r) const { return data + r * stride; }
  [[nodiscard]] T& operator()(std::size_t r, std::size_t c) const { return data[r * stride + c]; }
};

/// Operand codes, one byte each: the low byte of the operand in two's complement (-1 -> 0xFF),
/// which is how arith::build_lut indexes a multiplier's table.
using CodeView = MatrixView<const std::uint8_t>;
/// Accumulated int32 results.
using Int32View = MatrixView<std::int32_t>;

}  // namespace vitdse::eval

// Partial-product arrays: the bit-level model shared by the exact, truncated and broken-array
// multipliers, and the column-compression account that prices any set of product bits.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "vitdse/arith/hardware.hpp"

namespace vitdse::arith {

/// The cell account of summing a bit matrix by columns: full adders reduce each column to one
/// bit (a carry-save tree followed by a ripple adder), half adders take the pairs left over.
/// `heights[c]` is the number of bits of weight 2^c. An exact n x n array gives n(n-2) full
/// and n half adders, as Weste & Harris count it.
Hardware column_reduction_hardware(const std::vector<int>& heights);

/// An n x n array of partial products a_i·b_j (i indexes a's bits, j b's). Signed arrays use
/// the Baugh-Wooley form: the bits a_{n-1}b_j and a_ib_{n-1} (i, j < n-1) are inverted
/// (NAND cells) and the constant 2^n - 2^(2n-1) is added, so keeping every bit gives the exact
/// two's-complement product. `keep(i, j)` selects the bits the circuit implements.
///
///     PartialProductArray trunc(8, false, [](int i, int j) { return i + j >= 4; });
///     trunc.multiply(255, 255);  // 255*255 minus the dropped low-order bits
class PartialProductArray {
 public:
  PartialProductArray(int bits, bool is_signed, std::function<bool(int, int)> keep);

  /// The product the array computes, as a signed integer (two's complement when signed).
  [[nodiscard]] std::int64_t multiply(std::int64_t a, std::int64_t b) const;
  /// Mean over all operand pairs of the value of the dropped bits (for bias compensation).
  [[nodiscard]] double dropped_mean() const;
  /// Cells: one AND/NAND per kept bit, the column reduction, Baugh-Wooley's two correction
  /// adders when signed; depth = tallest column + half the columns spanned.
  [[nodiscard]] Hardware hardware() const;
  [[nodiscard]] bool kept(int i, int j) const { return kept_[static_cast<std::size_t>(i * bits_ + j)] != 0; }

 private:
  [[nodiscard]] bool inverted(int i, int j) const;

  int bits_;
  bool signed_;
  std::vector<std::uint8_t> kept_;
};

}  // namespace vitdse::arith

namespace vitdse::arith {

/// An exact unsigned na x nb array multiplier's cell account (rectangular operands).
Hardware array_multiplier_hardware(int na, int nb);

}  // namespace vitdse::arith

// Error metrics of an approximate multiplier against the exact product, and its lookup table.
#pragma once

#include <cstdint>
#include <vector>

#include "vitdse/arith/multiplier.hpp"

namespace vitdse::arith {

/// Error statistics over operand pairs, normalised as EvoApproxLib does (by 2^(2n)).
struct ErrorMetrics {
  double mae_pct = 0;   ///< mean |approx - exact| / 2^(2n) * 100
  double wce_pct = 0;   ///< max |approx - exact| / 2^(2n) * 100
  double mre_pct = 0;   ///< mean over exact != 0 of |err| / |exact| * 100
  double ep_pct = 0;    ///< share of pairs with any error, %
  double bias_pct = 0;  ///< mean (approx - exact) / 2^(2n) * 100
  double mse = 0;       ///< mean (approx - exact)^2, in squared product units
  std::uint64_t pairs = 0;
  bool exhaustive = true;  ///< false when pairs were sampled (widths above 12 bits)
};

/// Exhaustive over all 2^(2n) pairs for n <= 12; above that, 2^24 pairs drawn uniformly with a
/// fixed seed (so the result is reproducible).
ErrorMetrics error_metrics(const Multiplier& m);

/// The dense table of a multiplier of n <= 8 bits: entry 2^n·i + j is mul(a, b) for the
/// operands whose n-bit two's-complement codes are i and j (-1 -> 2^n - 1), the order
/// TFApprox and TransAxx use for 8-bit tables.
std::vector<std::int32_t> build_lut(const Multiplier& m);

}  // namespace vitdse::arith

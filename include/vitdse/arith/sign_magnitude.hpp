// Sign-magnitude wrapping: how families defined on unsigned operands multiply signed ones.
#pragma once

#include <cstdint>

#include "vitdse/arith/hardware.hpp"

namespace vitdse::arith {

/// Multiplies signed a, b through an unsigned core on their magnitudes and restores the sign:
/// the form DRUM, Mitchell, RoBA and Kulkarni use for signed operands. The magnitude of
/// -2^(n-1) needs all n bits, so the core is n bits wide.
template <class Core>
std::int64_t sign_magnitude_multiply(std::int64_t a, std::int64_t b, const Core& core) {
  const std::int64_t magnitude = core(a < 0 ? -a : a, b < 0 ? -b : b);
  return (a < 0) != (b < 0) ? -magnitude : magnitude;
}

/// The converters: an n-bit conditional negation (XOR row + incrementer) per operand, and a
/// 2n-bit one on the product.
inline Hardware sign_magnitude_hardware(int bits) {
  Hardware h;
  h.xor2 = 4.0 * bits;
  h.ha = 4.0 * bits;
  h.depth = 2;  // the incrementers' carry chains overlap the core's; count two stages
  return h;
}

}  // namespace vitdse::arith

// mitchell: Mitchell's logarithmic multiplier (IRE Trans. Electronic Computers, 1962).
#include <bit>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/sign_magnitude.hpp"

namespace vitdse::arith {

namespace {

/// log2(x) ~ k + f for x = 2^k (1 + f); the product is the antilog of the summed logarithms,
/// again approximated piecewise-linearly: 2^(k1+k2) (1 + f1 + f2) if f1 + f2 < 1, else
/// 2^(k1+k2+1) (f1 + f2). Fractions are (n-1)-bit fixed point and the final shift truncates.
/// Signed operands: sign-magnitude.
class MitchellMultiplier final : public Multiplier {
 public:
  MitchellMultiplier(const UnitSpec& spec, Width width) : Multiplier(spec.canonical(), width) {}

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override {
    const int frac = bits() - 1;
    const auto core = [frac](std::int64_t x, std::int64_t y) -> std::int64_t {
      if (x == 0 || y == 0) return 0;
      const auto ux = static_cast<std::uint64_t>(x), uy = static_cast<std::uint64_t>(y);
      const int kx = std::bit_width(ux) - 1, ky = std::bit_width(uy) - 1;
      // Fractions scaled to 2^frac.
      const std::uint64_t fx = (ux - (std::uint64_t{1} << kx)) << (frac - kx);
      const std::uint64_t fy = (uy - (std::uint64_t{1} << ky)) << (frac - ky);
      const std::uint64_t sum = fx + fy;
      const std::uint64_t one = std::uint64_t{1} << frac;
      const std::uint64_t mantissa = sum < one ? one + sum : sum << 1;  // the second form doubles
      return static_cast<std::int64_t>((mantissa << (kx + ky)) >> frac);
    };
    return is_signed() ? sign_magnitude_multiply(a, b, core) : core(a, b);
  }

  [[nodiscard]] Hardware hardware() const override {
    const int n = bits();
    const int log_n = std::bit_width(static_cast<unsigned>(n));
    Hardware h;
    for (int operand = 0; operand < 2; ++operand) {
      h += leading_one_hardware(n);
      h += shifter_hardware(n, n);  // normalise the fraction
    }
    h += adder_hardware(n - 1 + log_n);   // add the logarithms
    h += shifter_hardware(2 * n, 2 * n);  // antilog: shift the mantissa back
    if (is_signed()) h += sign_magnitude_hardware(n);
    h.depth = leading_one_hardware(n).depth + shifter_hardware(n, n).depth + (n - 1 + log_n) +
              shifter_hardware(2 * n, 2 * n).depth + (is_signed() ? 2 : 0);
    return h;
  }
};

}  // namespace

MultiplierFamily mitchell_family() {
  MultiplierFamily f;
  f.name = "mitchell";
  f.summary = "Mitchell logarithmic multiplier: add piecewise-linear logarithms, truncating antilog";
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    return std::make_unique<MitchellMultiplier>(spec, width);
  };
  return f;
}

}  // namespace vitdse::arith

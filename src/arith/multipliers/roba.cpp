// roba: the rounding-based approximate multiplier (Zendegani et al., IEEE TVLSI 2017).
#include <bit>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/sign_magnitude.hpp"

namespace vitdse::arith {

namespace {

/// a·b ~ ra·b + a·rb - ra·rb, where ra and rb are a and b rounded to the nearest power of two
/// (ties, x = 3·2^(k-1), round up). The error is -(a-ra)(b-rb). Every term is a shift, so the
/// circuit is two rounding units, shifters and a three-input adder. Signed: sign-magnitude.
class RobaMultiplier final : public Multiplier {
 public:
  RobaMultiplier(const UnitSpec& spec, Width width) : Multiplier(spec.canonical(), width) {}

  /// The nearest power of two; 0 stays 0.
  static std::int64_t round_pow2(std::int64_t x) {
    if (x == 0) return 0;
    const auto ux = static_cast<std::uint64_t>(x);
    const std::uint64_t low = std::bit_floor(ux);
    return static_cast<std::int64_t>(low >= 2 && ux - low >= low / 2 ? low << 1 : low);
  }

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override {
    const auto core = [](std::int64_t x, std::int64_t y) {
      const std::int64_t rx = round_pow2(x), ry = round_pow2(y);
      return rx * y + x * ry - rx * ry;
    };
    return is_signed() ? sign_magnitude_multiply(a, b, core) : core(a, b);
  }

  [[nodiscard]] Hardware hardware() const override {
    const int n = bits();
    Hardware h;
    for (int operand = 0; operand < 2; ++operand) {
      h += leading_one_hardware(n);
      h.and2 += n;                          // round-up detection from the bit below the leading one
      h += shifter_hardware(2 * n, n + 1);  // shift the other operand by this one's exponent
    }
    h += adder_hardware(2 * n);  // ra·b + a·rb
    h += adder_hardware(2 * n);  // - ra·rb (a one-hot decode, then subtract)
    if (is_signed()) h += sign_magnitude_hardware(n);
    h.depth =
        leading_one_hardware(n).depth + 1 + shifter_hardware(2 * n, n + 1).depth + 2 * n + 1 + (is_signed() ? 2 : 0);
    return h;
  }
};

}  // namespace

MultiplierFamily roba_family() {
  MultiplierFamily f;
  f.name = "roba";
  f.summary = "RoBA: operands rounded to powers of two, a*b ~ ra*b + a*rb - ra*rb";
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    return std::make_unique<RobaMultiplier>(spec, width);
  };
  return f;
}

}  // namespace vitdse::arith

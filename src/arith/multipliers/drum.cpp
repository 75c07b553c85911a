// drum: the Dynamic Range Unbiased Multiplier (Hashemi, Bahar & Reda, ICCAD 2015).
#include <bit>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/partial_products.hpp"
#include "vitdse/arith/sign_magnitude.hpp"

namespace vitdse::arith {

namespace {

/// Each operand keeps k bits from its leading one; when lower bits are dropped the lowest kept
/// bit is forced to 1, which centres the truncation error on zero. The k x k cores are
/// multiplied exactly and the product shifted back. Signed operands: sign-magnitude.
class DrumMultiplier final : public Multiplier {
 public:
  DrumMultiplier(const UnitSpec& spec, Width width, int k) : Multiplier(spec.canonical(), width), k_(k) {}

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override {
    const auto core = [this](std::int64_t x, std::int64_t y) {
      const auto [xc, xs] = reduce(static_cast<std::uint64_t>(x));
      const auto [yc, ys] = reduce(static_cast<std::uint64_t>(y));
      return static_cast<std::int64_t>((xc * yc) << (xs + ys));
    };
    return is_signed() ? sign_magnitude_multiply(a, b, core) : core(a, b);
  }

  [[nodiscard]] Hardware hardware() const override {
    const int n = bits();
    Hardware h = PartialProductArray(k_, false, [](int, int) { return true; }).hardware();  // k x k core
    const double core_depth = h.depth;
    for (int operand = 0; operand < 2; ++operand) {
      h += leading_one_hardware(n);
      h += shifter_hardware(k_, n - k_ + 1);
    }
    h += shifter_hardware(2 * k_, 2 * (n - k_) + 1);
    h += adder_hardware(std::bit_width(static_cast<unsigned>(n)));  // shift amounts
    if (is_signed()) h += sign_magnitude_hardware(n);
    h.depth =
        leading_one_hardware(n).depth + 1 + core_depth + shifter_hardware(2 * k_, 2 * n).depth + (is_signed() ? 2 : 0);
    return h;
  }

 private:
  /// The k-bit core of x and its shift.
  [[nodiscard]] std::pair<std::uint64_t, int> reduce(std::uint64_t x) const {
    const int width = std::bit_width(x);
    if (width <= k_) return {x, 0};
    const int shift = width - k_;
    return {(x >> shift) | 1U, shift};
  }

  int k_;
};

}  // namespace

MultiplierFamily drum_family() {
  MultiplierFamily f;
  f.name = "drum";
  f.summary = "DRUM: k bits from each operand's leading one, lowest kept bit set, exact k x k core";
  f.params = {{"k", "2..n (required)", "bits kept per operand; k = n is exact"}};
  f.min_bits = 3;
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    return std::make_unique<DrumMultiplier>(spec, width, required_int_param(spec, "k", 2, width.bits));
  };
  return f;
}

}  // namespace vitdse::arith

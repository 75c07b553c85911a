// kulkarni: the underdesigned multiplier built from inexact 2x2 blocks (Kulkarni, Gupta &
// Ercegovac, VLSI Design 2011).
#include <bit>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/partial_products.hpp"
#include "vitdse/arith/sign_magnitude.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

/// The 2x2 block is exact except 3·3 = 7 (binary 111 instead of 1001), which saves its fourth
/// output bit and most of its logic. Wider multipliers split each operand into high and low
/// halves recursively and add the four sub-products exactly. Signed: sign-magnitude.
class KulkarniMultiplier final : public Multiplier {
 public:
  KulkarniMultiplier(const UnitSpec& spec, Width width) : Multiplier(spec.canonical(), width) {}

  static std::uint64_t block(std::uint64_t a, std::uint64_t b) { return a == 3 && b == 3 ? 7 : a * b; }

  static std::uint64_t recurse(std::uint64_t a, std::uint64_t b, int n) {
    if (n == 2) return block(a, b);
    const int h = n / 2;
    const std::uint64_t mask = (std::uint64_t{1} << h) - 1;
    const std::uint64_t ah = a >> h, al = a & mask, bh = b >> h, bl = b & mask;
    return (recurse(ah, bh, h) << (2 * h)) + ((recurse(ah, bl, h) + recurse(al, bh, h)) << h) + recurse(al, bl, h);
  }

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override {
    const int n = bits();
    const auto core = [n](std::int64_t x, std::int64_t y) {
      return static_cast<std::int64_t>(recurse(static_cast<std::uint64_t>(x), static_cast<std::uint64_t>(y), n));
    };
    return is_signed() ? sign_magnitude_multiply(a, b, core) : core(a, b);
  }

  /// (n/2)^2 blocks of four ANDs and an OR, and an exact adder tree over their 3-bit outputs.
  [[nodiscard]] Hardware hardware() const override {
    const int n = bits(), digits = n / 2;
    std::vector<int> heights(static_cast<std::size_t>(2 * n), 0);
    for (int p = 0; p < digits; ++p) {
      for (int q = 0; q < digits; ++q) {
        for (int bit = 0; bit < 3; ++bit) ++heights[static_cast<std::size_t>(2 * (p + q) + bit)];
      }
    }
    Hardware h = column_reduction_hardware(heights);
    h.and2 = 5.0 * digits * digits;
    if (is_signed()) {
      h += sign_magnitude_hardware(n);
      h.depth += 2;
    }
    return h;
  }
};

}  // namespace

MultiplierFamily kulkarni_family() {
  MultiplierFamily f;
  f.name = "kulkarni";
  f.summary = "recursive composition of the inexact 2x2 block where 3*3 = 7; widths 2, 4, 8, 16";
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    if (!std::has_single_bit(static_cast<unsigned>(width.bits))) {
      throw Error("unit spec '" + spec.text + "': kulkarni needs a power-of-two width; allowed 2, 4, 8, 16 bits");
    }
    return std::make_unique<KulkarniMultiplier>(spec, width);
  };
  return f;
}

}  // namespace vitdse::arith

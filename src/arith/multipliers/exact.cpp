// exact: the reference array multiplier (Baugh-Wooley when signed).
#include "vitdse/arith/multiplier_registry.hpp"

namespace vitdse::arith {

namespace {

class ExactMultiplier final : public Multiplier {
 public:
  using Multiplier::Multiplier;
  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override { return a * b; }
  [[nodiscard]] Hardware hardware() const override { return exact_array_hardware(bits(), is_signed()); }

  /// An n x n carry-save array: n^2 partial-product gates, n(n-2) full adders and n half adders
  /// (Weste & Harris, CMOS VLSI Design, 4th ed., sec. 11.9). Baugh-Wooley signed form adds two
  /// full adders for its correction constants. Critical path: about 2n full-adder delays.
  static Hardware exact_array_hardware(int n, bool is_signed) {
    Hardware h;
    h.and2 = static_cast<double>(n) * n;
    h.fa = static_cast<double>(n) * (n - 2) + (is_signed ? 2 : 0);
    h.ha = n;
    h.depth = 2.0 * n;
    return h;
  }
};

}  // namespace

MultiplierFamily exact_family() {
  MultiplierFamily f;
  f.name = "exact";
  f.summary = "exact array multiplier (Baugh-Wooley when signed); the reference for every metric";
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    return std::make_unique<ExactMultiplier>(spec.canonical(), width);
  };
  return f;
}

}  // namespace vitdse::arith

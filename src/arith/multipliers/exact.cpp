// exact: the reference array multiplier (Baugh-Wooley when signed).
#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/partial_products.hpp"

namespace vitdse::arith {

namespace {

class ExactMultiplier final : public Multiplier {
 public:
  using Multiplier::Multiplier;
  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override { return a * b; }
  [[nodiscard]] bool exact() const override { return true; }
  /// An n x n carry-save array keeping every partial product: n^2 gates, n(n-2) full adders,
  /// n half adders (Weste & Harris, CMOS VLSI Design, 4th ed., 11.9), plus Baugh-Wooley's two
  /// correction adders when signed.
  [[nodiscard]] Hardware hardware() const override {
    return PartialProductArray(bits(), is_signed(), [](int, int) { return true; }).hardware();
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

// trunc: a truncated array multiplier that drops the partial products a_i·b_j with i+j < t.
#include <cmath>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/partial_products.hpp"

namespace vitdse::arith {

namespace {

/// Signed operands use the truncated Baugh-Wooley array directly. With c=1 the circuit adds the
/// constant (rounded to an integer) equal to the mean value of the dropped bits over uniformly
/// distributed operands, which makes the mean error zero up to that rounding.
class TruncMultiplier final : public Multiplier {
 public:
  TruncMultiplier(const UnitSpec& spec, Width width, int t, bool compensate)
      : Multiplier(spec.canonical(), width),
        array_(width.bits, width.is_signed, [t](int i, int j) { return i + j >= t; }),
        constant_(compensate ? std::llround(array_.dropped_mean()) : 0) {}

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override {
    return array_.multiply(a, b) + constant_;
  }
  [[nodiscard]] Hardware hardware() const override { return array_.hardware(); }

 private:
  PartialProductArray array_;
  std::int64_t constant_;
};

}  // namespace

MultiplierFamily trunc_family() {
  MultiplierFamily f;
  f.name = "trunc";
  f.summary = "truncated array: drops partial products a_i*b_j with i+j < t (Baugh-Wooley array when signed)";
  f.params = {{"t", "0..2n-1 (required)", "partial products of weight below 2^t are dropped; 0 is exact"},
              {"c", "0 or 1 (default 0)", "1 adds the constant that makes the mean error zero"}};
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    const int t = required_int_param(spec, "t", 0, 2 * width.bits - 1);
    const bool c = int_param(spec, "c", 0, 1, 0) == 1;
    return std::make_unique<TruncMultiplier>(spec, width, t, c);
  };
  return f;
}

}  // namespace vitdse::arith

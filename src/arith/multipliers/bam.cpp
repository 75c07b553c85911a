// bam: the broken-array multiplier (Mahdiani et al., IEEE TCAS-I 2010).
#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/partial_products.hpp"

namespace vitdse::arith {

namespace {

/// Drops the partial products a_i·b_j with j < hbl (horizontal break level: the lowest hbl
/// rows) or i+j < vbl (vertical break level: the lowest vbl columns). Signed operands use the
/// broken Baugh-Wooley array directly.
class BrokenArrayMultiplier final : public Multiplier {
 public:
  BrokenArrayMultiplier(const UnitSpec& spec, Width width, int hbl, int vbl)
      : Multiplier(spec.canonical(), width),
        array_(width.bits, width.is_signed, [hbl, vbl](int i, int j) { return j >= hbl && i + j >= vbl; }) {}

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override { return array_.multiply(a, b); }
  [[nodiscard]] Hardware hardware() const override { return array_.hardware(); }

 private:
  PartialProductArray array_;
};

}  // namespace

MultiplierFamily bam_family() {
  MultiplierFamily f;
  f.name = "bam";
  f.summary = "broken-array multiplier: drops a_i*b_j with j < hbl or i+j < vbl";
  f.params = {{"hbl", "0..n-1 (default 0)", "horizontal break level: rows of b's low bits dropped"},
              {"vbl", "0..2n-1 (default 0)", "vertical break level: columns of weight below 2^vbl dropped"}};
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    const int hbl = int_param(spec, "hbl", 0, width.bits - 1, 0);
    const int vbl = int_param(spec, "vbl", 0, 2 * width.bits - 1, 0);
    return std::make_unique<BrokenArrayMultiplier>(spec, width, hbl, vbl);
  };
  return f;
}

}  // namespace vitdse::arith

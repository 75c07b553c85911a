// The multiplier interface: a bit-exact function plus a hardware account, behind one spec string.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/unit_spec.hpp"

namespace vitdse::arith {

/// A cost the user declared for a unit (lookup-table files) instead of a cell account.
struct DeclaredCost {
  double power_mW = 0;
  double area_um2 = 0;
  double delay_ns = 0;
  double node_nm = 45;  ///< the node the figures were measured at
};

/// An n-bit multiplier. Operands are integers in the width's range (two's complement when
/// signed); `mul` returns the (possibly approximate) product exactly as the circuit would.
///
///     auto m = make_multiplier("exact:8s");
///     m->mul(-3, 7) == -21;
class Multiplier {
 public:
  Multiplier(std::string spec, Width width) : spec_(std::move(spec)), width_(width) {}
  virtual ~Multiplier() = default;
  Multiplier(const Multiplier&) = delete;
  Multiplier& operator=(const Multiplier&) = delete;

  [[nodiscard]] virtual std::int64_t mul(std::int64_t a, std::int64_t b) const = 0;
  /// The circuit's standard-cell account, priced by the cost layer.
  [[nodiscard]] virtual Hardware hardware() const = 0;
  /// Declared figures that replace the cell account when present.
  [[nodiscard]] virtual std::optional<DeclaredCost> declared_cost() const { return std::nullopt; }
  /// Whether the unit is the exact multiplier, every product the true one (an FPGA maps it onto
  /// DSP slices; an approximate one is built from LUTs).
  [[nodiscard]] virtual bool exact() const { return false; }

  [[nodiscard]] const std::string& spec() const { return spec_; }  ///< canonical spec
  [[nodiscard]] int bits() const { return width_.bits; }
  [[nodiscard]] bool is_signed() const { return width_.is_signed; }
  [[nodiscard]] std::int64_t min_operand() const { return is_signed() ? -(std::int64_t{1} << (bits() - 1)) : 0; }
  [[nodiscard]] std::int64_t max_operand() const {
    return is_signed() ? (std::int64_t{1} << (bits() - 1)) - 1 : (std::int64_t{1} << bits()) - 1;
  }

 private:
  std::string spec_;
  Width width_;
};

/// Builds a multiplier from its spec through the family registry. Unknown families, keys or
/// out-of-range values throw one Error naming what is allowed.
std::unique_ptr<Multiplier> make_multiplier(std::string_view spec);
/// The operand width a spec names, read without building the unit (an SC unit simulates its
/// table when built). Checks the family and the width, not the other parameters.
Width multiplier_width(std::string_view spec);

}  // namespace vitdse::arith

// Nonlinear units: GELU, softmax and LayerNorm implementations, each a function plus a
// hardware account, named by specs such as "gelu:ibert" or "softmax:iter:k=3".
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/multiplier_registry.hpp"

namespace vitdse::arith {

/// What every nonlinear unit has: its canonical spec and its hardware, per output element
/// and per row (softmax's normalisation, LayerNorm's statistics).
class NonlinearUnit {
 public:
  explicit NonlinearUnit(std::string spec) : spec_(std::move(spec)) {}
  virtual ~NonlinearUnit() = default;
  NonlinearUnit(const NonlinearUnit&) = delete;
  NonlinearUnit& operator=(const NonlinearUnit&) = delete;

  [[nodiscard]] const std::string& spec() const { return spec_; }
  [[nodiscard]] virtual Hardware element_hardware() const = 0;
  [[nodiscard]] virtual Hardware row_hardware() const { return {}; }
  /// Whether the unit computes the reference function itself (the evaluator then runs the
  /// float model's function in its place).
  [[nodiscard]] virtual bool exact() const { return false; }

 private:
  std::string spec_;
};

/// y = GELU(x), element-wise, exactly as the circuit computes it.
///
///     make_gelu("gelu:ibert")->apply(1.0);  // ~0.84
class GeluUnit : public NonlinearUnit {
 public:
  using NonlinearUnit::NonlinearUnit;
  [[nodiscard]] virtual double apply(double x) const = 0;
};

/// 0.5·x·(1 + erf(x / sqrt 2)): the function every GELU unit approximates.
[[nodiscard]] double exact_gelu(double x);

/// Probabilities of one row of logits.
class SoftmaxUnit : public NonlinearUnit {
 public:
  using NonlinearUnit::NonlinearUnit;
  virtual void apply(std::span<const double> logits, std::span<double> probs) const = 0;
  /// Whether every probability is a power of two (or 0), so the p·v product that follows is
  /// shifts, not multiplications.
  [[nodiscard]] virtual bool power_of_two_outputs() const { return false; }
};

/// (x - mean) / sqrt(var + eps) of one row, before the affine step.
class LayerNormUnit : public NonlinearUnit {
 public:
  using NonlinearUnit::NonlinearUnit;
  virtual void apply(std::span<const double> x, std::span<double> y, double eps) const = 0;
};

/// One registered variant: `kind:variant[:key=value]*`.
struct NonlinearFamily {
  std::string kind;     ///< gelu | softmax | layernorm
  std::string variant;  ///< e.g. exact, tanh, relu, ibert
  std::string summary;
  std::vector<ParamInfo> params;
  std::function<std::unique_ptr<NonlinearUnit>(const UnitSpec&)> make;
};

/// Every registered variant, sorted by kind then variant.
const std::vector<NonlinearFamily>& nonlinear_families();

/// Factories: unknown kinds, variants or keys and out-of-range values throw one Error.
std::unique_ptr<GeluUnit> make_gelu(std::string_view spec);
std::unique_ptr<SoftmaxUnit> make_softmax(std::string_view spec);
std::unique_ptr<LayerNormUnit> make_layernorm(std::string_view spec);

/// An fp16 division x / y: a Newton-Raphson reciprocal of y (2 iterations from a table seed)
/// and one multiplication: 5 multiplications and 2 additions (ReLU linear attention's
/// normaliser).
inline Hardware division_hardware() { return fp16_recipe(5, 2); }

/// Builds any nonlinear unit from its spec, whatever its kind.
std::unique_ptr<NonlinearUnit> make_nonlinear(std::string_view spec);

/// The canonical specs of every variant of `kind`, with default parameters.
std::vector<std::string> nonlinear_specs(std::string_view kind);

// Variants, one file per kind under src/arith/nonlinear/.
std::vector<NonlinearFamily> gelu_families();
std::vector<NonlinearFamily> gelu_sc_families();
std::vector<NonlinearFamily> softmax_families();
std::vector<NonlinearFamily> softmax_sc_families();
std::vector<NonlinearFamily> layernorm_families();

}  // namespace vitdse::arith

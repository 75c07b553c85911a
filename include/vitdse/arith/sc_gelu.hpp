// Stochastic-computing GELU units: the ASCEND-style sorter and selective interconnect, and the
// FSM and Bernstein baselines.
#pragma once

#include <vector>

#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/sc_bernstein.hpp"
#include "vitdse/arith/sc_selective.hpp"

namespace vitdse::arith {

/// Every SC GELU takes x in [-4, 4] (values outside are clamped): ViT MLP pre-activations lie
/// almost all there, and GELU(4) = 4 to within 1.3e-4.
inline constexpr double kScGeluRange = 4.0;

/// gelu:sc:L=.. : deterministic SC after ASCEND (Xie et al., DATE 2024), designed here.
///  - Input: an m-wire unary code (m = the smallest power of two >= 2L, so an input step 8/m
///    moves GELU by at most one output step) holding c = round((x + 4)·m/8) ones, in any wire
///    order: the output of the BSN adder before it.
///  - A bitonic sorter turns it into a thermometer code; a selective interconnect with window
///    gates (SelectiveInterconnect) picks L output wires.
///  - Output: an offset thermometer code of L wires, N ones meaning y = step·(N - offset), with
///    offset = ceil(0.17·L / 4.17) and step = 4 / (L - offset), so y spans [-offset·step, 4]
///    and reaches GELU's minimum of -0.170 (x = -0.75).
///  - Selection: for each input level c, N(c) minimises the mean absolute error to GELU over
///    x uniform on [-4, 4] (64 evenly spaced points per input step); being exact per level, the
///    fit is the best of any interconnect with window gates. GELU falls then rises, so the
///    staircase has one valley and every output wire is one selected wire or one gate.
class ScGelu final : public GeluUnit {
 public:
  /// length: 2..512 (m <= 1024, the sorter's range).
  explicit ScGelu(int length);

  [[nodiscard]] double apply(double x) const override { return output_value(si_.output_count(input_code(x))); }
  /// The sorter, the gates; one cycle (a parallel unary circuit).
  [[nodiscard]] Hardware element_hardware() const override { return si_.hardware(); }

  [[nodiscard]] int length() const { return length_; }
  [[nodiscard]] int offset() const { return offset_; }
  [[nodiscard]] double step() const { return step_; }
  [[nodiscard]] const SelectiveInterconnect& interconnect() const { return si_; }
  /// c: the number of ones of x's input code, 0..m.
  [[nodiscard]] int input_code(double x) const;
  [[nodiscard]] double output_value(int count) const { return step_ * (count - offset_); }

 private:
  int length_, inputs_, offset_;
  double step_;
  SelectiveInterconnect si_;
};

/// gelu:sc-fsm:L=.. : the FSM baseline, GELU(x) ~ x·(1 + tanh(u))/2 in bipolar SC.
///  - x is quantised to an 8-bit code q = round(128·x/R) (clamped to -128..127) and turned
///    into two bipolar streams of value q/128 by comparators against the lfsr generator pair
///    (operand_generators(lfsr, 8, L)): A from the first generator, B from the second.
///  - A drives Stanh with K = 8 states (stanh_stream), whose output T, read as a unipolar
///    stream, carries p = (1 + tanh((K/2)·atanh(x/R)))/2 ~ sigmoid(1.702x), the logistic form
///    of GELU (Hendrycks & Gimpel 2016).
///  - A MUX passes B where T is 1 and a half stream H where T is 0 (H: the top bit of the 4-bit
///    select_generator(lfsr, 16)); its bipolar value is p·x/R. The output counter's N gives
///    y = R·(2N/L - 1).
///  - R (>= 4) minimises the steady-state MAE of x·(1 + stanh_steady_state(x/R, 8))/2 against
///    GELU over 2,001 points of [-4, 4] (golden-section search): R = 4.687.
class FsmGelu final : public GeluUnit {
 public:
  static constexpr int kStates = 8;
  /// length: 2..4096.
  explicit FsmGelu(int length);

  [[nodiscard]] double apply(double x) const override;
  /// Per lane: the input register, two comparators, Stanh, the MUX, the output counter, and
  /// 1/16 of the three generators. Cycles: L.
  [[nodiscard]] Hardware element_hardware() const override;

  [[nodiscard]] double range() const { return range_; }
  /// The bipolar input level q + 128 in 0..255, the comparators' threshold.
  [[nodiscard]] int input_level(double x) const;
  /// The output count N for an input level, from the simulation tabulated at construction.
  [[nodiscard]] int output_count(int level) const { return table_[static_cast<std::size_t>(level)]; }

 private:
  int length_;
  double range_;
  std::vector<int> table_;
};

/// gelu:bernstein:L=..:d=.. : the Bernstein baseline (Qian & Riedel).
///  - x maps to t = (x + 4)/8, an input level v = round(256·t) in 0..256;
///  - g(t) = (GELU(8t - 4) + 1)/5.25 in [0, 1] is fitted by fit_bernstein at degree d and
///    evaluated by BernsteinCircuit over L cycles. GELU's bend at 0 needs coefficients well
///    below the curve, hence the output range [-1, 4.25]: with [-0.25, 4.25] the bounded fit's
///    own MAE is 0.056 at d = 8, with [-1, 4.25] 0.020 (0.0068 at d = 10);
///  - the output counter's N gives y = -1 + 5.25·N/L.
class BernsteinGelu final : public GeluUnit {
 public:
  static constexpr double kLow = -1.0;
  static constexpr double kHigh = 4.25;
  /// length: 2..4096; degree: 2..10.
  BernsteinGelu(int length, int degree);

  [[nodiscard]] double apply(double x) const override;
  /// The circuit's lane and the output counter. Cycles: L.
  [[nodiscard]] Hardware element_hardware() const override;

  [[nodiscard]] const BernsteinCircuit& circuit() const { return circuit_; }
  /// v in 0..256.
  [[nodiscard]] int input_level(double x) const;
  [[nodiscard]] int output_count(int level) const { return table_[static_cast<std::size_t>(level)]; }

 private:
  BernsteinCircuit circuit_;
  std::vector<int> table_;
};

}  // namespace vitdse::arith

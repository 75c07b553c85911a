// The stochastic-computing softmax baseline: Bernstein exponentials, a MUX sum and CORDIV.
#pragma once

#include <vector>

#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/sc_bernstein.hpp"
#include "vitdse/arith/sc_generator.hpp"

namespace vitdse::arith {

/// softmax:sc:L=.. : an SC softmax designed from published SC blocks (the circuit of Yuan et
/// al., GLSVLSI 2017, is not reproduced):
///  - binary front end: d_i = max - x_i, clipped to [0, 8], as the level v_i = round(32·d_i)
///    in 0..256;
///  - exponential: a degree-6 BernsteinCircuit fitted to exp(-8t), t = v/256, gives stream E_i
///    of value ~ exp(-d_i); all elements share its generators;
///  - sum: an N-input MUX whose select s_t comes from an independent generator of
///    k = ceil(log2 N) bits (decorrelated_lfsr(k, 3, false)) passes S_t = E_{s_t} (0 when
///    s_t >= N), a stream of value sum_j e_j / 2^k;
///  - division: CORDIV (Chen & Hayes, "Design of division circuits for stochastic computing",
///    ISVLSI 2016) per element, Q_i(t) = S_t ? [s_t = i] : Q_i(t - 1), Q_i(-1) = 0. The
///    numerator stream S AND [s = i] is contained in the denominator S, the correlation CORDIV
///    needs, so Q_i carries e_i / sum_j e_j;
///  - output: p_i = (ones of Q_i) / L.
/// Rows hold 1..256 elements (an 8-bit select generator).
class ScSoftmax final : public SoftmaxUnit {
 public:
  static constexpr double kRange = 8.0;
  static constexpr int kDegree = 6;
  static constexpr int kMaxRow = 256;

  /// length: 2..4096.
  explicit ScSoftmax(int length);

  void apply(std::span<const double> logits, std::span<double> probs) const override;
  /// Per element: the front end (16 FA), the Bernstein lane, a share of the MUX tree (1 MUX2)
  /// and of the select decoder (2 AND2), CORDIV (1 MUX2 + 1 DFF) and the output counter.
  /// Cycles: L.
  [[nodiscard]] Hardware element_hardware() const override;
  /// Per row: the 8-bit select generator.
  [[nodiscard]] Hardware row_hardware() const override;

  [[nodiscard]] int length() const { return length_; }
  [[nodiscard]] const BernsteinCircuit& exponential() const { return exp_; }
  /// v in 0..256 for a gap `max - x` >= 0.
  [[nodiscard]] static int input_level(double gap);
  /// The exponential's output stream for input level v (tabulated at construction).
  [[nodiscard]] const Bitstream& exp_stream(int level) const { return streams_[static_cast<std::size_t>(level)]; }

 private:
  int length_;
  BernsteinCircuit exp_;
  std::vector<Bitstream> streams_;
};

/// The select generator of softmax:sc for a row of `elements` (2..256).
[[nodiscard]] LfsrGenerator sc_softmax_select(int elements);

}  // namespace vitdse::arith

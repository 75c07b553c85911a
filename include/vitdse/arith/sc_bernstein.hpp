// Bernstein-polynomial SC functions (Qian & Riedel): fitted coefficients and the stream circuit.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/sc_generator.hpp"
#include "vitdse/arith/sc_stream.hpp"

namespace vitdse::arith {

/// B(t) = sum_i b_i C(d, i) t^i (1 - t)^(d - i), d = b.size() - 1.
[[nodiscard]] double bernstein_value(std::span<const double> b, double t);

/// The coefficients b_0..b_d in [0, 1] (degree d in 1..16) of the Bernstein polynomial closest
/// to f in least squares over 2,001 evenly spaced points of [0, 1]: the bounded quadratic
/// programme of Qian & Riedel, solved by projected coordinate descent.
[[nodiscard]] std::vector<double> fit_bernstein(const std::function<double(double)>& f, int degree);

/// The d + 1 generators of a degree-d Bernstein circuit: 8-bit decorrelated LFSRs on the
/// reciprocal of the default 16-bit polynomial (independent of operand_generators()' first
/// LFSR and of select_generator()), generator i started i·floor(65535 / (d + 1)) shifts along the
/// m-sequence from state 1. Generators 0..d-1 drive the input streams, generator d the
/// coefficient streams.
[[nodiscard]] std::vector<LfsrGenerator> bernstein_generators(int degree);

/// The stochastic circuit of a Bernstein polynomial (Qian & Riedel, "An architecture for
/// fault-tolerant computation with stochastic logic", IEEE Trans. Computers 60(1), 2011): an
/// 8-bit input level v (t = v / 256, v in 0..256) is compared each cycle against d independent
/// generators; the number k of ones among the d input bits (a parallel counter) selects, through
/// a (d + 1):1 MUX, the bit of coefficient stream k, which compares round(256·b_k) against one
/// more generator. The output stream's value tends to B(t).
///
///     BernsteinCircuit c(fit_bernstein([](double t) { return t * t; }, 2), 256);
///     c.stream(128).value();  // about 0.25
class BernsteinCircuit {
 public:
  static constexpr int kBits = 8;

  /// coefficients: 2..17 of them, each in [0, 1]; length in 2..4096.
  BernsteinCircuit(std::vector<double> coefficients, int length);

  [[nodiscard]] int degree() const { return static_cast<int>(coefficients_.size()) - 1; }
  [[nodiscard]] int length() const { return length_; }
  [[nodiscard]] const std::vector<double>& coefficients() const { return coefficients_; }
  /// round(256·b_k): the coefficient comparators' thresholds.
  [[nodiscard]] const std::vector<std::uint32_t>& thresholds() const { return thresholds_; }
  /// The output stream for input level v in 0..256, simulated cycle by cycle.
  [[nodiscard]] Bitstream stream(int level) const;

  /// One lane: the input register (8 DFF), d comparators (8 FA each), a parallel counter of d
  /// bits, the (d + 1):1 MUX (d MUX2), and 1/16 of the d + 1 generators and d + 1 coefficient
  /// comparators, which all lanes share. No output counter. Cycles: L.
  [[nodiscard]] Hardware lane_hardware() const;

 private:
  std::vector<double> coefficients_;
  int length_;
  std::vector<std::uint32_t> thresholds_;
  std::vector<std::vector<std::uint32_t>> randoms_;  // per generator, L values
};

}  // namespace vitdse::arith

// Number generators for comparator-based SC stream generation: LFSR, Sobol, Halton and counters.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vitdse/arith/hardware.hpp"

namespace vitdse::arith {

/// A source of `bits`-bit values r_t in [0, 2^bits), one per clock. A stream generator compares
/// an operand against r_t each cycle (bit_t = r_t < threshold), so the fraction of ones tracks
/// threshold / 2^bits as well as r_t covers the range uniformly. Generators are stateless
/// descriptions: `sequence` always starts from reset.
///
///     SobolGenerator g(8, 1);
///     g.sequence(4) == std::vector<std::uint32_t>{0, 128, 64, 192};
class NumberGenerator {
 public:
  /// Output width in 1..16 bits; throws Error outside it.
  explicit NumberGenerator(int bits);
  virtual ~NumberGenerator() = default;

  [[nodiscard]] int bits() const { return bits_; }
  /// The first `count` outputs after reset (count in 0..2^24).
  [[nodiscard]] std::vector<std::uint32_t> sequence(int count) const;
  /// The cells of one generator instance.
  [[nodiscard]] virtual Hardware hardware() const = 0;
  /// A short description such as "lfsr16(0x1A011) x8 -> 8 bits".
  [[nodiscard]] virtual std::string describe() const = 0;

 protected:
  NumberGenerator(const NumberGenerator&) = default;
  NumberGenerator& operator=(const NumberGenerator&) = default;

 private:
  virtual void generate(std::span<std::uint32_t> out) const = 0;

  int bits_;
};

/// A Fibonacci linear-feedback shift register of `width` bits (2..16). The polynomial has bit k
/// set for each term x^k of the characteristic polynomial (x^width and 1 must be present): the
/// new bit is the parity of the state under the lower terms and enters at the top, so the state
/// holds `width` consecutive bits of the register's sequence, newest at the top. Each clock
/// advances `steps_per_clock` shifts and outputs the top `bits` bits (the newest), so a plain
/// LFSR (one step, all bits) outputs its state, which is never 0.
///
///     LfsrGenerator plain(8, LfsrGenerator::default_polynomial(8), 1);  // period 255
class LfsrGenerator final : public NumberGenerator {
 public:
  /// A plain LFSR: one shift per clock, the whole state as output.
  LfsrGenerator(int width, std::uint32_t polynomial, std::uint32_t seed);
  /// seed in 1..2^width-1, steps_per_clock in 1..64, bits in 1..width.
  LfsrGenerator(int width, std::uint32_t polynomial, std::uint32_t seed, int steps_per_clock, int bits);

  /// A maximal-length (primitive) polynomial for widths 2..16: a trinomial where one exists,
  /// else a pentanomial. The period test in tests/arith/sc_test.cpp checks every width.
  [[nodiscard]] static std::uint32_t default_polynomial(int width);
  /// x^width·P(1/x): also primitive when P is, and a different sequence (P's, time-reversed).
  [[nodiscard]] static std::uint32_t reciprocal_polynomial(std::uint32_t polynomial, int width);

  /// The state after one shift.
  [[nodiscard]] std::uint32_t step(std::uint32_t state) const;
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] std::uint32_t polynomial() const { return polynomial_; }
  [[nodiscard]] std::uint32_t seed() const { return seed_; }
  [[nodiscard]] int steps_per_clock() const { return steps_; }

  /// `width` DFFs; each shift's feedback is an XOR tree over the polynomial's lower terms, so a
  /// clock of s shifts costs s·(terms - 1) XOR2 (leap-forward: the s new bits are computed in
  /// parallel from the register).
  [[nodiscard]] Hardware hardware() const override;
  [[nodiscard]] std::string describe() const override;

 private:
  void generate(std::span<std::uint32_t> out) const override;

  int width_;
  std::uint32_t polynomial_;
  std::uint32_t seed_;
  int steps_;
};

/// The LFSR the sc multipliers use for n-bit operands: a 2n-bit register with the default
/// polynomial (or its reciprocal, for a second independent operand) that leaps s >= n shifts
/// per clock (the smallest such s coprime to 2^2n - 1, which keeps the full period) and outputs
/// its n newest bits. Consecutive outputs are then disjoint windows of the m-sequence, and any
/// two consecutive ones are jointly uniform. A plain n-bit LFSR outputs shifted copies of its
/// previous value, so its comparator streams are autocorrelated and the variance of an SC
/// product is up to ~2x the binomial p(1-p)/L (tests/arith/sc_test.cpp measures both).
[[nodiscard]] LfsrGenerator decorrelated_lfsr(int bits, std::uint32_t seed, bool reciprocal);

/// The order in which a Sobol generator visits its points (see SobolGenerator).
enum class SobolOrder { natural, gray };

/// Dimension 1..4 of the Sobol sequence at `bits` bits, point i (i from 0, modulo 2^bits) in
/// natural order: x_i = XOR of the direction numbers V_k for the set bits k of i.
/// Dimension 1 is the van der Corput sequence in base 2 (V_k = 2^(bits-k): the bit-reversed
/// index). Dimensions 2..4 use the primitive polynomials x+1, x^2+x+1, x^3+x+1 with initial
/// numbers m = (1), (1, 3), (1, 3, 1) (Joe & Kuo, SIAM J. Sci. Comput. 30, 2008) and the
/// recurrence m_k = 2a_1 m_{k-1} ^ ... ^ 2^(s-1)a_{s-1} m_{k-s+1} ^ 2^s m_{k-s} ^ m_{k-s};
/// V_k = m_k·2^(bits-k). Dimensions 1 and 2 together form a (0, m, 2)-net for every m.
/// `digital_shift` XORs every output with a constant: the standard randomisation that keeps the
/// net structure and makes each point uniform (used for variance estimates).
///
/// SobolOrder::gray visits them in Gray-code order (Antonov & Saleev): output t is the natural
/// point of index g = j ^ (j >> 1), j = t mod 2^bits. Each step then XORs one direction number
/// into the previous output, the one picked by the least significant zero of the step counter:
/// the circuit of UnarySim's SobolRNG (and of Liu & Han, TVLSI 26(7), 2018). Gray code maps
/// indices 0..2^m-1 onto themselves, so the first 2^m outputs are the same points in another
/// order, and an SC count over L = 2^m cycles from dimensions sharing one counter is the same
/// in both orders (tested); at other lengths the prefixes differ. The sc multipliers use
/// natural order, which is also the cheaper circuit.
///
///     SobolGenerator dim2(8, 2);  // direction numbers m = 1, 3, 5, 15, 17, 51, 85, 255
///     SobolGenerator(3, 1, 0, SobolOrder::gray).sequence(4) == {0, 4, 6, 2}
class SobolGenerator final : public NumberGenerator {
 public:
  SobolGenerator(int bits, int dimension, std::uint32_t digital_shift = 0, SobolOrder order = SobolOrder::natural);

  [[nodiscard]] int dimension() const { return dimension_; }
  [[nodiscard]] SobolOrder order() const { return order_; }
  /// V_1..V_bits as bits-bit integers.
  [[nodiscard]] const std::vector<std::uint32_t>& direction_numbers() const { return directions_; }

  /// Natural order: an index counter (bits DFF + bits HA) and, per output bit, an XOR tree over
  /// the index bits whose direction numbers have that bit set (none for dimension 1, which is
  /// wiring).
  /// Gray order: the step counter (bits DFF + bits HA); its least-significant-zero detector,
  /// one select line per direction number, 2·bits - 4 AND2 (a prefix-AND chain and a gate per
  /// line; the last line also takes the counter's wrap from all ones); per output bit an OR
  /// over the select lines whose direction numbers have that bit set (counted as AND2; none for
  /// dimension 1); bits XOR2 into a bits-DFF output register.
  /// The digital shift is constant inversion (natural) or the register's reset value (gray), free.
  [[nodiscard]] Hardware hardware() const override;
  [[nodiscard]] std::string describe() const override;

 private:
  void generate(std::span<std::uint32_t> out) const override;

  int dimension_;
  std::uint32_t shift_;
  SobolOrder order_;
  std::vector<std::uint32_t> directions_;
};

/// The Halton (radical-inverse) sequence in base 2, 3, 5 or 7 at `bits` bits: with d the
/// smallest digit count such that base^d >= 2^bits, index i (from `offset`, modulo base^d) has
/// its d base-`base` digits reversed into R, and the output is floor(R·2^bits / base^d).
/// Base 2 equals Sobol dimension 1.
///
///     HaltonGenerator h(8, 3);  // outputs 0, 85, 170, 28, ... (0, 1/3, 2/3, 1/9 of 256)
class HaltonGenerator final : public NumberGenerator {
 public:
  HaltonGenerator(int bits, int base, std::uint32_t offset = 0);

  [[nodiscard]] int base() const { return base_; }
  [[nodiscard]] int digits() const { return digits_; }
  /// base^digits: the period.
  [[nodiscard]] std::uint32_t period() const { return period_; }

  /// A d-digit base-b counter (ceil(log2 b) DFF + HA per digit) and the conversion of the
  /// reversed digits to binary: each of the d·ceil(log2 b) digit bits adds a constant multiple
  /// of 2^bits/b^k, an adder tree of d·ceil(log2 b) - 1 bits-wide rows (an estimate; base 2 is
  /// wiring only).
  [[nodiscard]] Hardware hardware() const override;
  [[nodiscard]] std::string describe() const override;

 private:
  void generate(std::span<std::uint32_t> out) const override;

  int base_;
  std::uint32_t offset_;
  int digits_;
  std::uint32_t period_;
};

/// A ramp: r_t = ramp(floor(t / hold) mod period) with ramp(j) = ceil((2j+1)·2^bits / (2·period))
/// - 1, so comparing v against one period sets exactly the first round(v·period/2^bits) bits
/// (a thermometer code, halves rounded up). With period 2^bits and hold 1 it is the counter
/// 0, 1, 2, ...; `hold` > 1 is a clock-divided counter.
///
///     CounterGenerator c(8, 256);  // 0, 1, 2, ..., 255, 0, ...
class CounterGenerator final : public NumberGenerator {
 public:
  /// period and hold in 1..2^24.
  CounterGenerator(int bits, int period, int hold = 1);

  [[nodiscard]] int period() const { return period_; }
  [[nodiscard]] int hold() const { return hold_; }
  /// The ramp value at step j of a period.
  [[nodiscard]] std::uint32_t ramp(int j) const;

  /// A cycle counter over period·hold (DFF + HA per bit); the ramp is its top bits when the
  /// period is a power of two, else a bits-wide accumulator (DFF + FA per bit) steps it.
  [[nodiscard]] Hardware hardware() const override;
  [[nodiscard]] std::string describe() const override;

 private:
  void generate(std::span<std::uint32_t> out) const override;

  int period_;
  int hold_;
};

/// SC lanes sharing one set of number generators (and, for the sc multipliers, one MUX, APC or
/// BSN adder): the 16-lane MAC of UnarySim's synthesis figures.
inline constexpr int kScLanesPerGenerator = 16;

/// How an SC unit sources the random numbers of its two operands (the `sng` of a unit spec).
enum class SngKind { lfsr, sobol, halton, counter };

[[nodiscard]] std::string_view to_string(SngKind kind);
/// Parses "lfsr", "sobol", "halton" or "counter"; errors name `where` and the allowed values.
[[nodiscard]] SngKind parse_sng_kind(std::string_view text, std::string_view where);

/// Two generators for the two operands of a multiplier, statistically independent of each
/// other, and the cells of the pair:
///  - lfsr:    decorrelated_lfsr(n, 1, false) and decorrelated_lfsr(n, 2^(2n-1), true): the
///             default polynomial and its reciprocal, two 2n-bit registers;
///  - sobol:   Sobol dimensions 1 and 2, sharing one index counter;
///  - halton:  Halton bases 2 and 3, each with its own digit counter;
///  - counter: deterministic unary by clock division: a ramp of period L1 = 2^ceil(log2(L)/2)
///             and a ramp of period L2 = ceil(L / L1) held L1 cycles, so over L1·L2 cycles every
///             pair of ramp steps meets exactly once (exact up to the 1/L1 and 1/L2
///             quantisation).
struct GeneratorPair {
  std::unique_ptr<NumberGenerator> a, b;
  Hardware hardware;
};
[[nodiscard]] GeneratorPair operand_generators(SngKind kind, int bits, int length);

/// The select-line generator of an `inputs`-way MUX adder (inputs a power of two in 2..64),
/// log2(inputs) bits wide and independent of operand_generators(): lfsr a decorrelated LFSR
/// with seed 3; sobol dimension 3; halton base 5; counter a round-robin counter.
[[nodiscard]] std::unique_ptr<NumberGenerator> select_generator(SngKind kind, int inputs);

}  // namespace vitdse::arith

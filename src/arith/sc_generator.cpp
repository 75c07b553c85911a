// Number generators for SC stream generation, their cell accounts and the operand pairings.
#include "vitdse/arith/sc_generator.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <numeric>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::arith {

namespace {

constexpr int kMaxSequence = 1 << 24;

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%X", v);
  return buf;
}

void check_range(long long value, long long lo, long long hi, const std::string& what) {
  if (value < lo || value > hi) {
    throw Error(what + " " + std::to_string(value) + " is out of range; allowed " + std::to_string(lo) + ".." +
                std::to_string(hi));
  }
}

/// The LFSR's width is checked before its output width, so a bad width names its own range.
int lfsr_output_bits(int width, int bits) {
  check_range(width, 2, 16, "SC LFSR width");
  return bits;
}

/// ceil(log2(x)) for x >= 1.
int ceil_log2(std::uint64_t x) { return x <= 1 ? 0 : static_cast<int>(std::bit_width(x - 1)); }

/// A binary counter of `bits` bits: a register and its incrementer.
Hardware counter_cells(int bits) {
  Hardware h;
  h.dff = bits;
  h.ha = bits;
  return h;
}

}  // namespace

// ---- NumberGenerator --------------------------------------------------------------------

NumberGenerator::NumberGenerator(int bits) : bits_(bits) { check_range(bits, 1, 16, "SC generator width"); }

std::vector<std::uint32_t> NumberGenerator::sequence(int count) const {
  check_range(count, 0, kMaxSequence, "SC generator sequence length");
  std::vector<std::uint32_t> out(static_cast<std::size_t>(count));
  generate(out);
  return out;
}

// ---- LFSR -------------------------------------------------------------------------------

LfsrGenerator::LfsrGenerator(int width, std::uint32_t polynomial, std::uint32_t seed)
    : LfsrGenerator(width, polynomial, seed, 1, width) {}

LfsrGenerator::LfsrGenerator(int width, std::uint32_t polynomial, std::uint32_t seed, int steps_per_clock, int bits)
    : NumberGenerator(lfsr_output_bits(width, bits)),
      width_(width),
      polynomial_(polynomial),
      seed_(seed),
      steps_(steps_per_clock) {
  const std::uint32_t top = std::uint32_t{1} << width;
  if ((polynomial & top) == 0 || (polynomial & 1U) == 0 || polynomial >= 2 * top) {
    throw Error("SC LFSR polynomial " + hex(polynomial) + " is not of degree " + std::to_string(width) +
                " with a constant term; allowed: bits " + std::to_string(width) + " and 0 set, none above");
  }
  check_range(seed, 1, top - 1, "SC LFSR seed");
  check_range(steps_per_clock, 1, 64, "SC LFSR steps per clock");
  check_range(bits, 1, width, "SC LFSR output width");
}

std::uint32_t LfsrGenerator::default_polynomial(int width) {
  // Exponents of the lower terms; each entry's period is checked in the tests.
  static constexpr std::array<std::array<int, 3>, 17> kTaps{{{0, 0, 0},
                                                             {0, 0, 0},
                                                             {1, 0, 0},
                                                             {2, 0, 0},
                                                             {3, 0, 0},
                                                             {3, 0, 0},
                                                             {5, 0, 0},
                                                             {6, 0, 0},
                                                             {6, 5, 4},
                                                             {5, 0, 0},
                                                             {7, 0, 0},
                                                             {9, 0, 0},
                                                             {6, 4, 1},
                                                             {4, 3, 1},
                                                             {5, 3, 1},
                                                             {14, 0, 0},
                                                             {15, 13, 4}}};
  check_range(width, 2, 16, "SC LFSR width");
  std::uint32_t p = (std::uint32_t{1} << width) | 1U;
  for (const int e : kTaps[static_cast<std::size_t>(width)]) {
    if (e > 0) p |= std::uint32_t{1} << e;
  }
  return p;
}

std::uint32_t LfsrGenerator::reciprocal_polynomial(std::uint32_t polynomial, int width) {
  std::uint32_t r = 0;
  for (int k = 0; k <= width; ++k) {
    if ((polynomial >> k) & 1U) r |= std::uint32_t{1} << (width - k);
  }
  return r;
}

std::uint32_t LfsrGenerator::step(std::uint32_t state) const {
  const std::uint32_t mask = (std::uint32_t{1} << width_) - 1;
  const std::uint32_t feedback = static_cast<std::uint32_t>(std::popcount(state & polynomial_ & mask)) & 1U;
  return (state >> 1) | (feedback << (width_ - 1));
}

void LfsrGenerator::generate(std::span<std::uint32_t> out) const {
  std::uint32_t state = seed_;
  const int drop = width_ - bits();
  for (auto& v : out) {
    v = state >> drop;
    for (int s = 0; s < steps_; ++s) state = step(state);
  }
}

Hardware LfsrGenerator::hardware() const {
  const std::uint32_t lower = polynomial_ & ((std::uint32_t{1} << width_) - 1);
  const int terms = std::popcount(lower);
  Hardware h;
  h.dff = width_;
  h.xor2 = static_cast<double>(steps_) * (terms - 1);
  h.depth = 0;  // the output is the register itself
  return h;
}

std::string LfsrGenerator::describe() const {
  return "lfsr" + std::to_string(width_) + "(" + hex(polynomial_) + ", seed " + hex(seed_) + ") x" +
         std::to_string(steps_) + " -> " + std::to_string(bits()) + " bits";
}

LfsrGenerator decorrelated_lfsr(int bits, std::uint32_t seed, bool reciprocal) {
  check_range(bits, 1, 8, "SC decorrelated LFSR output width");
  const int width = 2 * bits;
  const std::uint32_t period = (std::uint32_t{1} << width) - 1;
  int steps = bits;
  while (std::gcd(static_cast<std::uint32_t>(steps), period) != 1) ++steps;
  const std::uint32_t p = LfsrGenerator::default_polynomial(width);
  return {width, reciprocal ? LfsrGenerator::reciprocal_polynomial(p, width) : p, seed, steps, bits};
}

// ---- Sobol ------------------------------------------------------------------------------

SobolGenerator::SobolGenerator(int bits, int dimension, std::uint32_t digital_shift, SobolOrder order)
    : NumberGenerator(bits), dimension_(dimension), shift_(digital_shift), order_(order) {
  check_range(dimension, 1, 4, "SC Sobol dimension");
  check_range(digital_shift, 0, (1LL << bits) - 1, "SC Sobol digital shift");
  struct Init {
    int degree;
    std::uint32_t a;
    std::array<std::uint32_t, 3> m;
  };
  // Dimensions 2..4 (Joe & Kuo's table); dimension 1 is the identity matrix below.
  static constexpr std::array<Init, 3> kInit{{{1, 0, {1, 0, 0}}, {2, 1, {1, 3, 0}}, {3, 1, {1, 3, 1}}}};
  std::vector<std::uint32_t> m(static_cast<std::size_t>(bits) + 1, 1);  // m[k], k = 1..bits
  if (dimension > 1) {
    const Init& init = kInit[static_cast<std::size_t>(dimension - 2)];
    const int s = init.degree;
    for (int k = 1; k <= bits; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      if (k <= s) {
        m[uk] = init.m[uk - 1];
        continue;
      }
      std::uint32_t v = m[uk - static_cast<std::size_t>(s)] ^ (m[uk - static_cast<std::size_t>(s)] << s);
      for (int j = 1; j < s; ++j) {
        if ((init.a >> (s - 1 - j)) & 1U) v ^= m[uk - static_cast<std::size_t>(j)] << j;
      }
      m[uk] = v;
    }
  }
  for (int k = 1; k <= bits; ++k) directions_.push_back(m[static_cast<std::size_t>(k)] << (bits - k));
}

void SobolGenerator::generate(std::span<std::uint32_t> out) const {
  const std::uint32_t mask = (std::uint32_t{1} << bits()) - 1;
  for (std::size_t t = 0; t < out.size(); ++t) {
    const std::uint32_t j = static_cast<std::uint32_t>(t) & mask;
    const std::uint32_t i = order_ == SobolOrder::gray ? j ^ (j >> 1) : j;
    std::uint32_t x = shift_;
    for (std::size_t k = 0; k < directions_.size(); ++k) {
      if ((i >> k) & 1U) x ^= directions_[k];
    }
    out[t] = x;
  }
}

Hardware SobolGenerator::hardware() const {
  const int n = bits();
  Hardware h = counter_cells(n);
  // Per output bit, the direction numbers that have it set: natural order XORs the matching
  // index bits, Gray order ORs the matching select lines (one-hot, so OR is XOR).
  double tree_gates = 0;
  int widest = 1;
  for (int j = 0; j < n; ++j) {
    int ones = 0;
    for (const std::uint32_t v : directions_) ones += static_cast<int>((v >> j) & 1U);
    tree_gates += ones > 1 ? ones - 1 : 0;
    widest = std::max(widest, ones);
  }
  if (order_ == SobolOrder::natural) {
    h.xor2 += tree_gates;
    h.depth = 0.5 * ceil_log2(static_cast<std::uint64_t>(widest));  // an XOR is about half an FA
    return h;
  }
  h.and2 += std::max(0, 2 * n - 4) + tree_gates;  // least-significant-zero select lines, then the ORs
  h.xor2 += n;
  h.dff += n;   // the output register
  h.depth = 0;  // the output is the register itself
  return h;
}

std::string SobolGenerator::describe() const {
  return "sobol dim " + std::to_string(dimension_) + (order_ == SobolOrder::gray ? " gray" : "") +
         (shift_ != 0 ? " ^" + hex(shift_) : std::string()) + " -> " + std::to_string(bits()) + " bits";
}

// ---- Halton -----------------------------------------------------------------------------

HaltonGenerator::HaltonGenerator(int bits, int base, std::uint32_t offset)
    : NumberGenerator(bits), base_(base), offset_(offset), digits_(0), period_(1) {
  if (base != 2 && base != 3 && base != 5 && base != 7) {
    throw Error("SC Halton base " + std::to_string(base) + " is not supported; allowed 2, 3, 5, 7");
  }
  while (period_ < (std::uint32_t{1} << bits)) {
    period_ *= static_cast<std::uint32_t>(base);
    ++digits_;
  }
}

void HaltonGenerator::generate(std::span<std::uint32_t> out) const {
  const auto b = static_cast<std::uint32_t>(base_);
  std::uint32_t index = offset_ % period_;
  for (auto& v : out) {
    std::uint32_t j = index, reversed = 0;
    for (int d = 0; d < digits_; ++d) {
      reversed = reversed * b + j % b;
      j /= b;
    }
    v = static_cast<std::uint32_t>((std::uint64_t{reversed} << bits()) / period_);
    index = index + 1 == period_ ? 0 : index + 1;
  }
}

Hardware HaltonGenerator::hardware() const {
  const int digit_bits = ceil_log2(static_cast<std::uint64_t>(base_));
  Hardware h = counter_cells(digits_ * digit_bits);
  if (base_ != 2) {
    h.and2 = digits_ * digit_bits;  // each digit's wrap at base-1
    const int rows = digits_ * digit_bits;
    h.fa = static_cast<double>(rows - 1) * bits();
    h.depth = ceil_log2(static_cast<std::uint64_t>(rows)) + bits();  // carry-save tree, then a ripple adder
  }
  return h;
}

std::string HaltonGenerator::describe() const {
  return "halton base " + std::to_string(base_) + (offset_ != 0 ? " from " + std::to_string(offset_) : std::string()) +
         " -> " + std::to_string(bits()) + " bits";
}

// ---- Counter ----------------------------------------------------------------------------

CounterGenerator::CounterGenerator(int bits, int period, int hold)
    : NumberGenerator(bits), period_(period), hold_(hold) {
  check_range(period, 1, kMaxSequence, "SC counter period");
  check_range(hold, 1, kMaxSequence, "SC counter hold");
}

std::uint32_t CounterGenerator::ramp(int j) const {
  // ceil(x / y) - 1 == floor((x - 1) / y) for positive integers.
  const std::uint64_t x = (2 * static_cast<std::uint64_t>(j) + 1) << bits();
  return static_cast<std::uint32_t>((x - 1) / (2 * static_cast<std::uint64_t>(period_)));
}

void CounterGenerator::generate(std::span<std::uint32_t> out) const {
  for (std::size_t t = 0; t < out.size(); ++t) {
    const auto step = static_cast<int>(t / static_cast<std::size_t>(hold_));
    out[t] = ramp(step % period_);
  }
}

Hardware CounterGenerator::hardware() const {
  Hardware h = counter_cells(ceil_log2(static_cast<std::uint64_t>(period_) * static_cast<std::uint64_t>(hold_)));
  if (!std::has_single_bit(static_cast<unsigned>(period_))) {
    h.dff += bits();
    h.fa += bits();
  }
  return h;
}

std::string CounterGenerator::describe() const {
  return "counter period " + std::to_string(period_) + (hold_ > 1 ? " hold " + std::to_string(hold_) : std::string()) +
         " -> " + std::to_string(bits()) + " bits";
}

// ---- pairings ---------------------------------------------------------------------------

std::string_view to_string(SngKind kind) {
  switch (kind) {
    case SngKind::lfsr:
      return "lfsr";
    case SngKind::sobol:
      return "sobol";
    case SngKind::halton:
      return "halton";
    case SngKind::counter:
      return "counter";
  }
  return "lfsr";
}

SngKind parse_sng_kind(std::string_view text, std::string_view where) {
  for (const SngKind k : {SngKind::lfsr, SngKind::sobol, SngKind::halton, SngKind::counter}) {
    if (text == to_string(k)) return k;
  }
  const std::vector<std::string> names{"lfsr", "sobol", "halton", "counter"};
  throw Error(std::string(where) + ": unknown sng '" + std::string(text) + "'" + did_you_mean(text, names) +
              "; allowed: " + join(names));
}

GeneratorPair operand_generators(SngKind kind, int bits, int length) {
  check_range(bits, 1, 8, "SC operand width");
  check_range(length, 2, 4096, "SC stream length");
  GeneratorPair pair;
  switch (kind) {
    case SngKind::lfsr:
      pair.a = std::make_unique<LfsrGenerator>(decorrelated_lfsr(bits, 1, false));
      pair.b = std::make_unique<LfsrGenerator>(decorrelated_lfsr(bits, std::uint32_t{1} << (2 * bits - 1), true));
      pair.hardware = pair.a->hardware();
      pair.hardware += pair.b->hardware();
      break;
    case SngKind::sobol:
      pair.a = std::make_unique<SobolGenerator>(bits, 1);
      pair.b = std::make_unique<SobolGenerator>(bits, 2);
      pair.hardware = pair.a->hardware();
      pair.hardware += pair.b->hardware();
      pair.hardware.dff -= bits;  // one index counter serves both dimensions
      pair.hardware.ha -= bits;
      break;
    case SngKind::halton:
      pair.a = std::make_unique<HaltonGenerator>(bits, 2);
      pair.b = std::make_unique<HaltonGenerator>(bits, 3);
      pair.hardware = pair.a->hardware();
      pair.hardware += pair.b->hardware();
      break;
    case SngKind::counter: {
      const int l1 = 1 << ((ceil_log2(static_cast<std::uint64_t>(length)) + 1) / 2);
      const int l2 = (length + l1 - 1) / l1;
      auto a = std::make_unique<CounterGenerator>(bits, l1);
      auto b = std::make_unique<CounterGenerator>(bits, l2, l1);
      pair.hardware = a->hardware();
      pair.hardware += b->hardware();
      // b's cycle counter counts L1·L2 cycles; a's counter is its low bits.
      const int shared = ceil_log2(static_cast<std::uint64_t>(l1));
      pair.hardware.dff -= shared;
      pair.hardware.ha -= shared;
      pair.a = std::move(a);
      pair.b = std::move(b);
      break;
    }
  }
  return pair;
}

std::unique_ptr<NumberGenerator> select_generator(SngKind kind, int inputs) {
  if (inputs < 2 || inputs > 64 || !std::has_single_bit(static_cast<unsigned>(inputs))) {
    throw Error("SC MUX adder with " + std::to_string(inputs) + " inputs; allowed a power of two in 2..64");
  }
  const int k = std::countr_zero(static_cast<unsigned>(inputs));
  switch (kind) {
    case SngKind::lfsr:
      return std::make_unique<LfsrGenerator>(decorrelated_lfsr(k, 3, false));
    case SngKind::sobol:
      return std::make_unique<SobolGenerator>(k, 3);
    case SngKind::halton:
      return std::make_unique<HaltonGenerator>(k, 5);
    case SngKind::counter:
      return std::make_unique<CounterGenerator>(k, inputs);
  }
  return std::make_unique<CounterGenerator>(k, inputs);
}

}  // namespace vitdse::arith

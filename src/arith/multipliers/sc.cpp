// sc: stochastic-computing multipliers, simulated bit-exactly once and tabulated over all pairs.
#include <bit>
#include <string>
#include <vector>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/sc_accumulate.hpp"
#include "vitdse/arith/sc_encoding.hpp"
#include "vitdse/arith/sc_generator.hpp"
#include "vitdse/arith/sc_stream.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::arith {

namespace {

/// How the lanes' product streams are summed (the `acc` of the spec).
enum class Accumulator { counter, mux, apc, bsn };

struct ScConfig {
  Width width;
  int length = 0;
  ScEncoding encoding = ScEncoding::unipolar;
  SngKind sng = SngKind::lfsr;
  Accumulator accumulator = Accumulator::counter;
};

std::string_view to_string(Accumulator a) {
  switch (a) {
    case Accumulator::counter:
      return "counter";
    case Accumulator::mux:
      return "mux";
    case Accumulator::apc:
      return "apc";
    case Accumulator::bsn:
      return "bsn";
  }
  return "counter";
}

/// Signed operands of the unipolar and thermometer encodings are multiplied in sign-magnitude
/// form around the unsigned core; bipolar handles the sign in the stream itself.
bool sign_magnitude(const ScConfig& c) { return c.width.is_signed && c.encoding != ScEncoding::bipolar; }

/// round(num / den) with halves away from zero; den > 0.
std::int64_t rounded_ratio(std::int64_t num, std::int64_t den) {
  return num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
}

/// The streams of every operand level, back to back, `words` words each.
struct StreamBank {
  int words = 0;
  std::vector<std::uint64_t> bits;

  void add(const Bitstream& s) { bits.insert(bits.end(), s.words().begin(), s.words().end()); }
  [[nodiscard]] std::span<const std::uint64_t> row(int level) const {
    return std::span<const std::uint64_t>(bits).subspan(static_cast<std::size_t>(level) * words,
                                                        static_cast<std::size_t>(words));
  }
};

/// The product table, entry (a, b) at index (a mod 2^n)·2^n + (b mod 2^n). All lanes of an SC
/// array share the generators, so the circuit's product is a fixed function of (a, b): this is
/// it, simulated bit by bit over L cycles for every pair of operand levels.
///
/// Operand levels and comparator thresholds against the n-bit generator output r_t:
///  - unsigned (unipolar, thermometer): level v, threshold v: P = v / 2^n;
///  - bipolar: level v + 2^(n-1) (the sign bit inverted), threshold the same;
///  - signed unipolar/thermometer: level |v| in 0..2^(n-1), threshold 2|v| (r_t < 2|v| compares
///    |v| against the top n-1 bits of r_t), so P = |v| / 2^(n-1) uses the full stream.
/// Counts c of the AND (XNOR for bipolar) stream become product units by
///  - unsigned:       round(c·2^(2n) / L);
///  - sign-magnitude: ±round(c·2^(2n-2) / L), negative when exactly one operand is;
///  - bipolar:        round((2c - L)·2^(2n-2) / L), since x·y = 2c/L - 1 and x = v / 2^(n-1);
/// rounding halves away from zero.
std::vector<std::int32_t> build_table(const ScConfig& c) {
  const int n = c.width.bits, length = c.length;
  const bool magnitude = sign_magnitude(c);
  const int levels = magnitude ? (1 << (n - 1)) + 1 : 1 << n;
  const auto threshold = [magnitude](int level) { return static_cast<std::uint32_t>(magnitude ? 2 * level : level); };

  const GeneratorPair pair = operand_generators(c.sng, n, length);
  const auto ra = pair.a->sequence(length), rb = pair.b->sequence(length);
  StreamBank a_bank{stream_words(length), {}}, b_bank{stream_words(length), {}};
  for (int level = 0; level < levels; ++level) {
    a_bank.add(c.encoding == ScEncoding::thermometer ? thermometer_stream(threshold(level), n, length)
                                                     : comparator_stream(threshold(level), ra));
    b_bank.add(comparator_stream(threshold(level), rb));
  }
  std::vector<int> counts(static_cast<std::size_t>(levels) * static_cast<std::size_t>(levels));
  for (int i = 0; i < levels; ++i) {
    for (int j = 0; j < levels; ++j) {
      counts[static_cast<std::size_t>(i * levels + j)] = c.encoding == ScEncoding::bipolar
                                                             ? popcount_xnor_words(a_bank.row(i), b_bank.row(j), length)
                                                             : popcount_and_words(a_bank.row(i), b_bank.row(j));
    }
  }

  const int side = 1 << n;
  const std::int64_t half = side / 2;
  const auto operand = [&](int bits_pattern) -> std::int64_t {
    return c.width.is_signed && bits_pattern >= half ? bits_pattern - side : bits_pattern;
  };
  const auto level_of = [&](std::int64_t v) -> int {
    if (c.encoding == ScEncoding::bipolar) return static_cast<int>(v + half);
    return static_cast<int>(v < 0 ? -v : v);
  };
  std::vector<std::int32_t> table(static_cast<std::size_t>(side) * static_cast<std::size_t>(side));
  for (int ia = 0; ia < side; ++ia) {
    const std::int64_t a = operand(ia);
    for (int ib = 0; ib < side; ++ib) {
      const std::int64_t b = operand(ib);
      const std::int64_t count = counts[static_cast<std::size_t>(level_of(a) * levels + level_of(b))];
      std::int64_t product = 0;
      if (c.encoding == ScEncoding::bipolar) {
        product = rounded_ratio((2 * count - length) * (std::int64_t{1} << (2 * n - 2)), length);
      } else if (magnitude) {
        product = rounded_ratio(count * (std::int64_t{1} << (2 * n - 2)), length);
        if ((a < 0) != (b < 0)) product = -product;
      } else {
        product = rounded_ratio(count * (std::int64_t{1} << (2 * n)), length);
      }
      table[static_cast<std::size_t>(ia * side + ib)] = static_cast<std::int32_t>(product);
    }
  }
  return table;
}

class ScMultiplier final : public Multiplier {
 public:
  ScMultiplier(std::string spec, const ScConfig& config)
      : Multiplier(std::move(spec), config.width), config_(config), table_(build_table(config)) {}

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override {
    const std::int64_t mask = (std::int64_t{1} << bits()) - 1;
    return table_[static_cast<std::size_t>(((a & mask) << bits()) | (b & mask))];
  }

  /// One lane of a serial SC array, per product (cycles = L). Cells:
  ///  - the gate (AND2, or XNOR2 for bipolar);
  ///  - two n-bit operand registers: the binary operands are held for the L cycles, as the
  ///    input buffers of UnarySim's multipliers are;
  ///  - two n-bit comparators, n FA-equivalents each (comparator_hardware);
  ///  - sign-magnitude operands: a conditional negation per operand (n XOR2 + n HA), an XOR2
  ///    for the product's sign and an XOR2 per counter bit to count down;
  ///  - 1/16 of the operand generator pair (GeneratorPair::hardware; thermometer: the ramp
  ///    counter of period L and the second generator);
  ///  - the output: acc=counter its own counter of bit_width(L) bits (DFF + HA); otherwise 1/16
  ///    of a 16-input adder and its accumulator: mux (15 MUX2, a 4-bit select generator and one
  ///    counter), apc (exact parallel counter, 5-bit count into a bit_width(16·L)-bit
  ///    accumulator) or bsn (80 compare-and-swap cells and a thermometer decoder, same
  ///    accumulator).
  /// Depth: generator output, comparator ripple (n), the gate (0.5) and the output stage.
  [[nodiscard]] Hardware hardware() const override {
    const int n = bits(), length = config_.length;
    Hardware h = gate_hardware(config_.encoding);
    for (int operand = 0; operand < 2; ++operand) {
      h += register_hardware(n);
      h += comparator_hardware(n);
    }
    if (sign_magnitude(config_)) {
      Hardware sm;
      sm.xor2 = 2.0 * n + 1 + std::bit_width(static_cast<unsigned>(length));
      sm.ha = 2.0 * n;
      h += sm;
    }
    const GeneratorPair pair = operand_generators(config_.sng, n, length);
    Hardware generators = pair.hardware;
    if (config_.encoding == ScEncoding::thermometer) {
      generators = CounterGenerator(n, length).hardware();
      generators += pair.b->hardware();
    }
    h += lane_share(generators, kScLanesPerGenerator);

    Hardware output;
    const int count_bits = std::bit_width(static_cast<unsigned>(kScLanesPerGenerator));
    const int sum_bits = std::bit_width(static_cast<unsigned>(kScLanesPerGenerator * length));
    switch (config_.accumulator) {
      case Accumulator::counter:
        output = output_counter_hardware(length);
        break;
      case Accumulator::mux:
        output = mux_adder_hardware(kScLanesPerGenerator);
        output += select_generator(config_.sng, kScLanesPerGenerator)->hardware();
        output += output_counter_hardware(length);
        output.depth = mux_adder_hardware(kScLanesPerGenerator).depth + output_counter_hardware(length).depth;
        output = lane_share(output, kScLanesPerGenerator);
        break;
      case Accumulator::apc:
      case Accumulator::bsn: {
        output = config_.accumulator == Accumulator::apc ? apc_hardware(kScLanesPerGenerator)
                                                         : bsn_adder_hardware(kScLanesPerGenerator);
        const double adder_depth = output.depth;
        output += accumulator_hardware(count_bits, sum_bits);
        output.depth = adder_depth + accumulator_hardware(count_bits, sum_bits).depth;
        output = lane_share(output, kScLanesPerGenerator);
        break;
      }
    }
    h += output;
    h.depth = generators.depth + comparator_hardware(n).depth + gate_hardware(config_.encoding).depth + output.depth +
              (sign_magnitude(config_) ? 0.5 : 0.0);
    h.cycles = length;
    return h;
  }

 private:
  ScConfig config_;
  std::vector<std::int32_t> table_;
};

Accumulator parse_accumulator(std::string_view text, const std::string& where) {
  for (const Accumulator a : {Accumulator::counter, Accumulator::mux, Accumulator::apc, Accumulator::bsn}) {
    if (text == to_string(a)) return a;
  }
  const std::vector<std::string> names{"counter", "mux", "apc", "bsn"};
  throw Error(where + ": unknown acc '" + std::string(text) + "'" + did_you_mean(text, names) +
              "; allowed: " + join(names));
}

}  // namespace

// Calibration against UnarySim's synthesis (TSMC 40 nm); see tests/arith/sc_test.cpp, which
// checks the first two rows. The cost layer prices a cell account at NanGate45 cell areas times
// the anchor calibration 2.415 at 45 nm and scales area by 0.765 to 40 nm (log-log between the
// 45 and 32 nm points), i.e. 1.847 um^2 per um^2 of raw NanGate45 area.
//
//   UnarySim circuit (40 nm)                  this account (40 nm)
//   AND-gate multiplier       5.1 um^2        AND2: 1.97 um^2 (0.39x; a bare gate cannot
//                                             reach 5.1 without padding the account)
//   Sobol RNG, 8-bit          175.3 um^2      106.1 um^2: 8 DFF + 8 HA. Ours is Sobol in
//                                             natural order (dimension 1 is the bit-reversed
//                                             counter, no logic); UnarySim's is the Gray-code
//                                             form (counter, least-significant-zero detector,
//                                             direction-vector lookup, 8-bit output register)
//   unipolar mul incl. RNG    207.6 um^2      237.8 um^2 (+15%): Sobol RNG + 8-bit operand
//                                             register + 8-bit comparator (8 FA) + AND2, the
//                                             parts of UnarySim's uMUL_uni. With the default
//                                             decorrelated LFSR (16 DFF + 24 XOR2) instead of
//                                             Sobol it is 336 um^2 (+62%).
//   8-input MUX / APC / OR    32.3 / 55.9 /   27.5 / 46.2 / 13.8 um^2 (7 MUX2 / 4 FA + 3 HA /
//   adder                     11.8 um^2       7 OR2), without select generators
//   16-lane unipolar MAC      3361 um^2       16 x (2 operand registers + 2 comparators + AND2)
//                                             + one shared Sobol pair + 16-input OR adder:
//                                             4364 um^2 (+30%): flops price at 8.35 um^2 here
//   16-lane bipolar MAC       5945 um^2       XNOR instead of AND: +0.5 um^2 a lane. UnarySim's
//                                             bipolar multiplier is a different, larger circuit
//                                             (1.77x); that gap is not modelled.
//   power 0.898 / 1.62 mW                     not compared: the clock behind UnarySim's figures
//                                             is not stated, and the cost layer's energy is
//                                             calibrated per operation, not per cycle.
// Flops dominate SC lanes, and the single calibration factor (fitted on a combinational array
// multiplier, where wiring inflates full adders) over-prices them; that, not the cell counts,
// is most of the +15..30% above.

MultiplierFamily sc_family() {
  MultiplierFamily f;
  f.name = "sc";
  f.summary = "stochastic computing: serial bitstreams of L cycles from comparators and shared generators";
  f.min_bits = 2;
  f.max_bits = 8;  // SC streams resolve 1/L; beyond 8-bit operands the streams would be impractically long
  f.params = {
      {"L", "2..4096 (default 2^n)", "stream length in cycles; one product takes L cycles"},
      {"enc", "unipolar|bipolar|thermometer (default unipolar for u, bipolar for s)",
       "operand coding: AND of comparator streams; XNOR of offset streams (signed only); a thermometer-coded "
       "first operand against a generated second (signed unipolar/thermometer: sign-magnitude)"},
      {"sng", "lfsr|sobol|halton|counter (default lfsr)",
       "operand generators: decorrelated LFSRs, Sobol dims 1-2, Halton bases 2-3, or clock-divided counters "
       "(deterministic unary; not with enc=thermometer)"},
      {"acc", "counter|mux|apc|bsn (default counter)",
       "how 16 lanes sum their streams: own counters, or a shared MUX, APC or BSN adder; mul() is the lane's "
       "product, exact for counter/apc/bsn; a MUX adder's extra sampling error is a dot-product effect (mux_add)"}};
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    const std::string where = "unit spec '" + spec.text + "'";
    ScConfig c;
    c.width = width;
    c.length = int_param(spec, "L", kScMinLength, kScMaxLength, 1 << width.bits);
    const auto text_param = [&spec](const char* key, std::string_view fallback) {
      const auto it = spec.params.find(key);
      return it == spec.params.end() ? std::string(fallback) : it->second;
    };
    c.encoding = parse_sc_encoding(text_param("enc", width.is_signed ? "bipolar" : "unipolar"), where);
    c.sng = parse_sng_kind(text_param("sng", "lfsr"), where);
    c.accumulator = parse_accumulator(text_param("acc", "counter"), where);
    if (c.encoding == ScEncoding::bipolar && !width.is_signed) {
      throw Error(where + ": enc=bipolar needs a signed width such as '" + std::to_string(width.bits) +
                  "s'; unsigned operands allow enc=unipolar or enc=thermometer");
    }
    if (c.encoding == ScEncoding::thermometer && c.sng == SngKind::counter) {
      throw Error(where + ": enc=thermometer with sng=counter ANDs two ramps, which computes min(a, b); use " +
                  "sng=lfsr|sobol|halton, or enc=unipolar with sng=counter for clock-divided unary");
    }
    std::string canonical =
        "sc:" + std::to_string(width.bits) + (width.is_signed ? "s" : "u") + ":L=" + std::to_string(c.length);
    if (c.accumulator != Accumulator::counter) canonical += ":acc=" + std::string(to_string(c.accumulator));
    canonical += ":enc=" + std::string(to_string(c.encoding)) + ":sng=" + std::string(to_string(c.sng));
    return std::make_unique<ScMultiplier>(canonical, c);
  };
  return f;
}

}  // namespace vitdse::arith

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
  ///  - two n-bit comparators, an XOR2 and a MUX2 per bit (comparator_hardware);
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

// Calibration against UnarySim's synthesis: Design Compiler reports, TSMC 40 nm LP, 1.1 V,
// cell area (the wire-load model adds none), in hw/ of github.com/diwu1990/UnarySim. Each row
// prices the account of the RTL UnarySim synthesised, built from our cells, in UnarySim's
// library; tests/arith/sc_multiplier_test.cpp (CellAccountAgainstUnarySimSynthesis) checks
// every ratio.
//
// The library. Our combinational cells are FreePDK45 areas x 2.415 (the EvoApproxLib anchor)
// x 0.765 (45 to 40 nm). For the one circuit both sources synthesised, the 8x8 multiplier, that
// is 1.42x UnarySim's logic area (bMUL: 382.4 um^2): the libraries and flows differ. So our
// combinational area is divided by 1.42 before comparing; flops are compared at cell area,
// where the libraries agree (our DFFR_X1 at 40 nm is 4.07 um^2, UnarySim's reset flop 4.057).
//
//   UnarySim circuit (40 nm)           um^2   ratio  logic  flops  our account
//   8-bit binary multiplier, bMUL      513.7  0.99   1.00   0.99   exact:8u + 32 flops (the
//                                                                  library factor's circuit)
//   8-bit binary MAC, bMAC_SIMD        598.9  1.04   1.05   1.00   exact:8u, 20-bit adder and
//                                                                  accumulator select, 20 flops
//   AND-gate multiplier                5.1    0.27                 a bare AND2
//     with a registered output         5.1    1.07                 (see the notes)
//   Sobol RNG 8-bit, Gray code         175.3  0.78   0.74   0.83   8-bit counter (8 DFF +
//     3-bit / 10-bit                   59.3 / 230.6  0.81 / 0.75   8 HA), 12 select gates,
//                                                                  8 enable AND2, 8 XOR2,
//                                                                  8-bit register
//   unipolar mul incl. RNG, uMUL_uni   207.6  1.00   1.30   0.79   the RNG, 8-bit operand
//                                                                  register, comparator
//                                                                  (8 XOR2 + 8 MUX2), AND2
//   MUX adder, 16 inputs               32.3   1.25   1.29   1.00   15 MUX2, output flop
//   APC adder, 16 inputs               55.9   1.21   1.29   1.00   UnarySim's approximate
//                                                                  APC: 8 OR2, 4 FA, 4-bit
//                                                                  register and comparator
//   OR adder, 8 inputs                 11.8   1.17   1.25   1.00   7 OR2, output flop
//   uSADD16, the MACs' adder           104.3  1.10   1.12   1.00   16-input parallel
//                                                                  counter, 4-bit
//                                                                  accumulator
//   16-lane unipolar MAC               3361   1.02   1.37   0.79   16 uMUL_uni + uSADD16
//   16-lane bipolar MAC                5945   1.05   1.33   0.81   16 uMUL_bi (two RNGs,
//                                                                  two comparators, a MUX)
//                                                                  + uSADD16
//
// Every row but two is within +-25%: the 10-bit Sobol RNG (0.749) and the MUX adder (1.253).
// The reference table's 8-bit binary adder (178.0 um^2) is not compared: neither its report nor
// its RTL is in the repository.
//
// Notes.
//  - The two rows outside, and the spread of the logic column, follow the buffer and inverter
//    cells Design Compiler placed, which our accounts do not hold: they are 23% of bMUL's logic
//    (88.6 of 382.4 um^2), the share the library factor carries; 42% of the 8-bit Sobol RNG's
//    (41.3 of 97.2 um^2, 14 cells: the RTL inverts every counter bit), so the RNGs price under;
//    none of the MUX adder's (28.224 um^2 is exactly 15 MUX2 of 1.8816), so it prices over.
//  - UnarySim's MACs are 16 copies of its multiplier, each with its own Sobol RNGs and one
//    operand arriving as a stream (the reports count 388 = 16 x 24 + 4 and 644 = 16 x 40 + 4
//    flops). The sc lanes here share one generator pair among 16 lanes and convert both
//    operands: a different circuit, not compared.
//  - The MUX and APC reports have 23 ports, 16 data inputs and a 4-bit select, so they are
//    16-input adders (the reference table says 8). UnarySim's stand-alone kernels register their
//    output (orADD.sv; one 4.057 um^2 sequential cell in the OR and MUX reports, four in the
//    APC's). The AND-gate report is not public; 5.1 - 4.057 leaves 1.04 um^2, one small
//    2-input gate, so it most likely holds the same output flop. Without it the row is 0.27x.
//  - UnarySim's Sobol RNG is the Gray-code circuit (SobolOrder::gray). The sc family's
//    sng=sobol is natural order: dimension 1 is the bit-reversed counter (0.35x of UnarySim's
//    RNG) and dimension 2 adds 19 XOR2. For two dimensions it is the cheaper circuit, and at
//    L = 2^m its products are those of the Gray-code pair (tests/arith/sc_test.cpp), so the
//    units keep it.
//  - Flops in the MACs and uMUL price at 0.79-0.81x: their registers hold an enable (5.29 um^2
//    cells, 21 of the 24 in uMUL_uni), which our DFFR does not.
//  - Power (0.898 / 1.62 mW for the MACs) is not compared: the clock behind UnarySim's figures
//    is not stated, and the cost layer's energy is calibrated per operation, not per cycle.

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

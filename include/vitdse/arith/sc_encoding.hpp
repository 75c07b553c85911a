// SC encodings: how an n-bit operand becomes a bitstream (comparator or thermometer) and back.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/sc_generator.hpp"
#include "vitdse/arith/sc_stream.hpp"

namespace vitdse::arith {

/// How a stream carries a value (the `enc` of a unit spec):
///  - unipolar:    v in [0, 2^n) as P(bit = 1) = v / 2^n; multiply with AND.
///  - bipolar:     signed v in [-2^(n-1), 2^(n-1)) as P(bit = 1) = (v + 2^(n-1)) / 2^n, i.e.
///                 x = v / 2^(n-1) = 2P - 1; multiply with XNOR (P_out = (1 + x·y) / 2).
///  - thermometer: deterministic unary: v in [0, 2^n] as the first round(v·L / 2^n) bits set
///                 (halves rounded up), no generator involved.
enum class ScEncoding { unipolar, bipolar, thermometer };

[[nodiscard]] std::string_view to_string(ScEncoding encoding);
/// Parses "unipolar", "bipolar" or "thermometer"; errors name `where` and the allowed values.
[[nodiscard]] ScEncoding parse_sc_encoding(std::string_view text, std::string_view where);

/// The comparator stream: bit t = (randoms[t] < threshold), L = randoms.size() (2..4096). A
/// threshold of 2^n sets every bit, which sign-magnitude operands use for |-2^(n-1)|.
///
///     comparator_stream(2, std::vector<std::uint32_t>{0, 3, 1, 2}).to_string() == "1010";
[[nodiscard]] Bitstream comparator_stream(std::uint32_t threshold, std::span<const std::uint32_t> randoms);

/// The thermometer code of v in [0, 2^bits]: the first round(v·length / 2^bits) bits set. It
/// equals the comparator stream of v against CounterGenerator(bits, length).
///
///     thermometer_stream(3, 2, 8).to_string() == "11111100";  // 3/4 of 8 bits
[[nodiscard]] Bitstream thermometer_stream(std::uint32_t v, int bits, int length);

/// Encodes operand v of `bits` bits (range per encoding, checked) into `length` cycles using
/// `generator` (whose width must be `bits`; unused for thermometer).
///
///     SobolGenerator g(8, 1);
///     decode(ScEncoding::unipolar, encode(ScEncoding::unipolar, 64, 8, g, 256)) == 0.25;
[[nodiscard]] Bitstream encode(ScEncoding encoding, std::int64_t v, int bits, const NumberGenerator& generator,
                               int length);

/// The value a stream carries: count / L for unipolar and thermometer (in [0, 1]), 2·count / L - 1
/// for bipolar (in [-1, 1]).
[[nodiscard]] double decode(ScEncoding encoding, const Bitstream& stream);

/// An n-bit magnitude comparator (operand < random) as a ripple of selects: from the least
/// significant bit up, lt_i = (a_i XOR b_i) ? b_i : lt_(i-1), one XOR2 and one MUX2 per bit.
/// Depth n.
[[nodiscard]] Hardware comparator_hardware(int bits);

/// The multiplying gate of an encoding: AND2 (unipolar, thermometer) or XNOR2 (bipolar).
[[nodiscard]] Hardware gate_hardware(ScEncoding encoding);

}  // namespace vitdse::arith

// SC encodings: comparator and thermometer stream generation, decoding, gate and comparator cells.
#include "vitdse/arith/sc_encoding.hpp"

#include <string>
#include <vector>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::arith {

std::string_view to_string(ScEncoding encoding) {
  switch (encoding) {
    case ScEncoding::unipolar:
      return "unipolar";
    case ScEncoding::bipolar:
      return "bipolar";
    case ScEncoding::thermometer:
      return "thermometer";
  }
  return "unipolar";
}

ScEncoding parse_sc_encoding(std::string_view text, std::string_view where) {
  for (const ScEncoding e : {ScEncoding::unipolar, ScEncoding::bipolar, ScEncoding::thermometer}) {
    if (text == to_string(e)) return e;
  }
  const std::vector<std::string> names{"unipolar", "bipolar", "thermometer"};
  throw Error(std::string(where) + ": unknown enc '" + std::string(text) + "'" + did_you_mean(text, names) +
              "; allowed: " + join(names));
}

Bitstream comparator_stream(std::uint32_t threshold, std::span<const std::uint32_t> randoms) {
  Bitstream out(static_cast<int>(randoms.size()));
  const auto words = out.mutable_words();
  const std::size_t length = randoms.size();
  for (std::size_t w = 0; w < words.size(); ++w) {
    const std::size_t begin = 64 * w;
    const std::size_t end = length - begin < 64 ? length : begin + 64;
    std::uint64_t word = 0;
    // Branch-free compare-and-pack, which the compiler turns into vector compares.
    for (std::size_t t = begin; t < end; ++t) word |= static_cast<std::uint64_t>(randoms[t] < threshold) << (t - begin);
    words[w] = word;
  }
  return out;
}

Bitstream thermometer_stream(std::uint32_t v, int bits, int length) {
  if (bits < 1 || bits > 16) {
    throw Error("SC thermometer width " + std::to_string(bits) + " is out of range; allowed 1..16");
  }
  const std::uint64_t full = std::uint64_t{1} << bits;
  if (v > full) {
    throw Error("SC thermometer value " + std::to_string(v) + " is out of range; allowed 0.." + std::to_string(full));
  }
  Bitstream out(length);
  // round(v·L / 2^n), halves up: floor((2vL + 2^n) / 2^(n+1)).
  const auto ones = static_cast<int>((2 * v * static_cast<std::uint64_t>(length) + full) / (2 * full));
  const auto words = out.mutable_words();
  for (int w = 0; w < ones / 64; ++w) words[static_cast<std::size_t>(w)] = ~std::uint64_t{0};
  if (ones % 64 != 0) words[static_cast<std::size_t>(ones / 64)] = (std::uint64_t{1} << (ones % 64)) - 1;
  return out;
}

Bitstream encode(ScEncoding encoding, std::int64_t v, int bits, const NumberGenerator& generator, int length) {
  if (bits < 1 || bits > 16) {
    throw Error("SC operand width " + std::to_string(bits) + " is out of range; allowed 1..16");
  }
  if (encoding == ScEncoding::thermometer) {
    const std::int64_t hi = std::int64_t{1} << bits;
    if (v < 0 || v > hi) {
      throw Error("SC thermometer operand " + std::to_string(v) + " is out of range; allowed 0.." + std::to_string(hi));
    }
    return thermometer_stream(static_cast<std::uint32_t>(v), bits, length);
  }
  if (generator.bits() != bits) {
    throw Error("SC encode: the generator is " + std::to_string(generator.bits()) + " bits wide but the operand has " +
                std::to_string(bits) + " bits; they must match");
  }
  const std::int64_t half = std::int64_t{1} << (bits - 1);
  const std::int64_t lo = encoding == ScEncoding::bipolar ? -half : 0;
  const std::int64_t hi = encoding == ScEncoding::bipolar ? half - 1 : 2 * half - 1;
  if (v < lo || v > hi) {
    throw Error("SC " + std::string(to_string(encoding)) + " operand " + std::to_string(v) + " is out of range for " +
                std::to_string(bits) + " bits; allowed " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  const auto threshold = static_cast<std::uint32_t>(encoding == ScEncoding::bipolar ? v + half : v);
  const auto randoms = generator.sequence(length);
  return comparator_stream(threshold, randoms);
}

double decode(ScEncoding encoding, const Bitstream& stream) {
  const double p = stream.value();
  return encoding == ScEncoding::bipolar ? 2 * p - 1 : p;
}

Hardware comparator_hardware(int bits) {
  Hardware h;
  h.xor2 = bits;
  h.mux2 = bits;
  h.depth = bits;
  return h;
}

Hardware gate_hardware(ScEncoding encoding) {
  Hardware h;
  if (encoding == ScEncoding::bipolar) {
    h.xor2 = 1;
  } else {
    h.and2 = 1;
  }
  h.depth = 0.5;  // one gate, about half a full adder's delay
  return h;
}

}  // namespace vitdse::arith

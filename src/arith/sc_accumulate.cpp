// SC accumulation: MUX and OR adders, the exact parallel counter, and the bitonic sorting network.
#include "vitdse/arith/sc_accumulate.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

void check_inputs(std::span<const Bitstream> inputs, int lo, int hi, bool power_of_two, const char* what) {
  const auto n = static_cast<long long>(inputs.size());
  if (n < lo || n > hi || (power_of_two && !std::has_single_bit(static_cast<unsigned long long>(n)))) {
    throw Error(std::string(what) + " with " + std::to_string(n) + " inputs; allowed " +
                (power_of_two ? "a power of two in " : "") + std::to_string(lo) + ".." + std::to_string(hi));
  }
  for (const Bitstream& s : inputs) {
    if (s.length() != inputs.front().length()) {
      throw Error(std::string(what) + ": input lengths differ (" + std::to_string(inputs.front().length()) + " and " +
                  std::to_string(s.length()) + "); all inputs must have the same length");
    }
  }
}

int log2_exact(int n) { return std::countr_zero(static_cast<unsigned>(n)); }

}  // namespace

Bitstream mux_add(std::span<const Bitstream> inputs, const NumberGenerator& select) {
  check_inputs(inputs, 2, 64, true, "SC MUX adder");
  const int k = log2_exact(static_cast<int>(inputs.size()));
  if (select.bits() != k) {
    throw Error("SC MUX adder: the select generator is " + std::to_string(select.bits()) + " bits wide; " +
                std::to_string(inputs.size()) + " inputs need " + std::to_string(k));
  }
  const int length = inputs.front().length();
  const auto picks = select.sequence(length);
  Bitstream out(length);
  for (int t = 0; t < length; ++t) out.set(t, inputs[picks[static_cast<std::size_t>(t)]].test(t));
  return out;
}

Bitstream or_add(std::span<const Bitstream> inputs) {
  check_inputs(inputs, 1, 1024, false, "SC OR adder");
  Bitstream out = inputs.front();
  for (const Bitstream& s : inputs.subspan(1)) out = out | s;
  return out;
}

std::vector<int> parallel_count(std::span<const Bitstream> inputs) {
  check_inputs(inputs, 1, 1024, false, "SC parallel counter");
  const int length = inputs.front().length();
  const int planes = std::bit_width(inputs.size());  // enough bits for a count of inputs.size()
  std::vector<int> counts(static_cast<std::size_t>(length), 0);
  std::vector<std::uint64_t> plane(static_cast<std::size_t>(planes));
  for (int w = 0; w < stream_words(length); ++w) {
    std::fill(plane.begin(), plane.end(), 0);
    for (const Bitstream& s : inputs) {
      // Add one bit to 64 counters at once: a ripple of half adders through the planes.
      std::uint64_t carry = s.words()[static_cast<std::size_t>(w)];
      for (auto& p : plane) {
        const std::uint64_t next = p & carry;
        p ^= carry;
        carry = next;
        if (carry == 0) break;
      }
    }
    const int base = 64 * w;
    for (int t = 0; t < 64 && base + t < length; ++t) {
      int c = 0;
      for (int k = 0; k < planes; ++k) c |= static_cast<int>((plane[static_cast<std::size_t>(k)] >> t) & 1U) << k;
      counts[static_cast<std::size_t>(base + t)] = c;
    }
  }
  return counts;
}

BitonicSorter::BitonicSorter(int inputs) : inputs_(inputs) {
  if (inputs < 2 || inputs > 1024 || !std::has_single_bit(static_cast<unsigned>(inputs))) {
    throw Error("SC bitonic sorter with " + std::to_string(inputs) + " inputs; allowed a power of two in 2..1024");
  }
  // Bitonic merges of growing blocks; a block whose index bit `size` is clear sorts descending
  // and its neighbour ascending, so together they form a bitonic sequence for the next merge.
  for (int size = 2; size <= inputs; size <<= 1) {
    for (int stride = size / 2; stride >= 1; stride >>= 1) {
      std::vector<Cell> stage;
      for (int i = 0; i < inputs; ++i) {
        const int j = i ^ stride;
        if (j <= i) continue;
        stage.push_back((i & size) == 0 ? Cell{i, j} : Cell{j, i});
      }
      stages_.push_back(std::move(stage));
    }
  }
}

int BitonicSorter::cell_count() const {
  int n = 0;
  for (const auto& stage : stages_) n += static_cast<int>(stage.size());
  return n;
}

std::uint64_t BitonicSorter::sort_bits(std::uint64_t x) const {
  if (inputs_ > 64) throw Error("SC bitonic sorter: sort_bits takes at most 64 inputs; use sort_words");
  for (const auto& stage : stages_) {
    for (const Cell& c : stage) {
      const std::uint64_t a = (x >> c.high) & 1U, b = (x >> c.low) & 1U;
      x &= ~((std::uint64_t{1} << c.high) | (std::uint64_t{1} << c.low));
      x |= ((a | b) << c.high) | ((a & b) << c.low);
    }
  }
  return x;
}

void BitonicSorter::sort_words(std::span<std::uint64_t> lanes) const {
  if (static_cast<int>(lanes.size()) != inputs_) {
    throw Error("SC bitonic sorter of " + std::to_string(inputs_) + " inputs given " + std::to_string(lanes.size()) +
                " lanes; they must match");
  }
  for (const auto& stage : stages_) {
    for (const Cell& c : stage) {
      const std::uint64_t a = lanes[static_cast<std::size_t>(c.high)], b = lanes[static_cast<std::size_t>(c.low)];
      lanes[static_cast<std::size_t>(c.high)] = a | b;
      lanes[static_cast<std::size_t>(c.low)] = a & b;
    }
  }
}

Hardware BitonicSorter::hardware() const {
  Hardware h;
  h.and2 = 2.0 * cell_count();
  h.depth = 0.5 * depth();
  return h;
}

std::vector<int> bsn_count(std::span<const Bitstream> inputs) {
  check_inputs(inputs, 2, 1024, true, "SC BSN adder");
  const BitonicSorter sorter(static_cast<int>(inputs.size()));
  const int length = inputs.front().length();
  std::vector<int> counts(static_cast<std::size_t>(length), 0);
  std::vector<std::uint64_t> lanes(inputs.size());
  for (int w = 0; w < stream_words(length); ++w) {
    for (std::size_t i = 0; i < inputs.size(); ++i) lanes[i] = inputs[i].words()[static_cast<std::size_t>(w)];
    sorter.sort_words(lanes);
    // Thermometer to binary: output i is the last one where output i+1 is zero.
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      std::uint64_t edge = lanes[i] & ~(i + 1 < lanes.size() ? lanes[i + 1] : 0);
      while (edge != 0) {
        const int t = 64 * w + std::countr_zero(edge);
        counts[static_cast<std::size_t>(t)] = static_cast<int>(i) + 1;
        edge &= edge - 1;
      }
    }
  }
  return counts;
}

Hardware mux_adder_hardware(int inputs) {
  Hardware h;
  h.mux2 = inputs - 1;
  h.depth = 0.5 * std::bit_width(static_cast<unsigned>(inputs - 1));
  return h;
}

Hardware or_adder_hardware(int inputs) {
  Hardware h;
  h.and2 = inputs - 1;
  h.depth = 0.5 * std::bit_width(static_cast<unsigned>(inputs - 1));
  return h;
}

Hardware apc_hardware(int inputs) {
  Hardware h;
  std::vector<int> column{inputs};
  for (std::size_t c = 0; c < column.size(); ++c) {
    auto carry_into_next = [&column, c] {
      if (c + 1 == column.size()) column.push_back(0);
      ++column[c + 1];
    };
    while (column[c] >= 3) {
      h.fa += 1;
      column[c] -= 2;
      carry_into_next();
    }
    if (column[c] == 2) {
      h.ha += 1;
      column[c] = 1;
      carry_into_next();
    }
  }
  // Carry-save levels (each FA level takes the height to about 2/3), then the carry ripple.
  int levels = 0;
  for (int height = inputs; height > 2; height = (2 * height + 2) / 3) ++levels;
  h.depth = levels + std::bit_width(static_cast<unsigned>(inputs));
  return h;
}

Hardware bsn_adder_hardware(int inputs) {
  const BitonicSorter sorter(inputs);
  Hardware h = sorter.hardware();
  const int out_bits = std::bit_width(static_cast<unsigned>(inputs));
  h.and2 += inputs;                           // edge detectors
  h.and2 += 0.5 * inputs * out_bits;          // OR encoder: each output bit gathers about half the edges
  h.depth += 0.5 + 0.5 * log2_exact(inputs);  // the edge gate and the encoder's OR tree
  return h;
}

Hardware output_counter_hardware(int length) {
  const int bits = std::bit_width(static_cast<unsigned>(length));
  Hardware h;
  h.dff = bits;
  h.ha = bits;
  h.depth = 0.5 * bits;  // the incrementer's carry ripple, half an FA per half adder
  return h;
}

Hardware accumulator_hardware(int count_bits, int sum_bits) {
  Hardware h;
  h.dff = sum_bits;
  h.fa = count_bits;
  h.ha = sum_bits > count_bits ? sum_bits - count_bits : 0;
  h.depth = count_bits + 0.5 * h.ha;
  return h;
}

}  // namespace vitdse::arith

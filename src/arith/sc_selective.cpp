// The gate-assisted selective interconnect: fitting a one-valley staircase and simulating it.
#include "vitdse/arith/sc_selective.hpp"

#include <bit>
#include <cstdint>
#include <string>

#include "vitdse/arith/sc_accumulate.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

/// Word `w` of every sorted wire, for 64 samples at once: wire i of sample b at bit b of
/// lanes[i]. Returns, per sample, the ones on the selected output wires.
std::vector<int> count_outputs(const BitonicSorter& sorter, const std::vector<SelectedWire>& wires,
                               std::vector<std::uint64_t> lanes) {
  sorter.sort_words(lanes);
  const auto m = static_cast<int>(lanes.size());
  const auto sorted = [&](int i) -> std::uint64_t {  // c > i; constants beyond the ends
    if (i < 0) return ~std::uint64_t{0};
    if (i >= m) return 0;
    return lanes[static_cast<std::size_t>(i)];
  };
  std::vector<int> counts(64, 0);
  for (const SelectedWire& w : wires) {
    std::uint64_t bits = sorted(w.rise - 1);     // c >= rise
    if (w.gated()) bits |= ~sorted(w.fall - 1);  // or c < fall
    for (std::uint64_t b = bits; b != 0; b &= b - 1) ++counts[static_cast<std::size_t>(std::countr_zero(b))];
  }
  return counts;
}

}  // namespace

std::vector<bool> scattered_code(int count, int inputs) {
  const int k = std::countr_zero(static_cast<unsigned>(inputs));
  std::vector<bool> wires(static_cast<std::size_t>(inputs));
  for (int i = 0; i < inputs; ++i) {
    int reversed = 0;
    for (int b = 0; b < k; ++b) reversed |= ((i >> b) & 1) << (k - 1 - b);
    wires[static_cast<std::size_t>(i)] = reversed < count;
  }
  return wires;
}

SelectiveInterconnect::SelectiveInterconnect(int inputs, std::vector<SelectedWire> wires)
    : inputs_(inputs), wires_(std::move(wires)) {
  const BitonicSorter sorter(inputs_);
  table_.resize(static_cast<std::size_t>(inputs_) + 1);
  for (int first = 0; first <= inputs_; first += 64) {
    std::vector<std::uint64_t> lanes(static_cast<std::size_t>(inputs_), 0);
    for (int b = 0; b < 64 && first + b <= inputs_; ++b) {
      const auto code = scattered_code(first + b, inputs_);
      for (int i = 0; i < inputs_; ++i) {
        if (code[static_cast<std::size_t>(i)]) lanes[static_cast<std::size_t>(i)] |= std::uint64_t{1} << b;
      }
    }
    const auto counts = count_outputs(sorter, wires_, std::move(lanes));
    for (int b = 0; b < 64 && first + b <= inputs_; ++b) {
      table_[static_cast<std::size_t>(first + b)] = counts[static_cast<std::size_t>(b)];
    }
  }
}

SelectiveInterconnect SelectiveInterconnect::fit(int inputs, int outputs, const std::function<int(int)>& staircase) {
  if (inputs < 2 || inputs > 1024 || !std::has_single_bit(static_cast<unsigned>(inputs))) {
    throw Error("SC selective interconnect over " + std::to_string(inputs) +
                " inputs; allowed a power of two in 2..1024 (the bitonic sorter's range)");
  }
  if (outputs < 1 || outputs > 4096) {
    throw Error("SC selective interconnect with " + std::to_string(outputs) + " outputs; allowed 1..4096");
  }
  std::vector<int> level(static_cast<std::size_t>(inputs) + 1);
  for (int c = 0; c <= inputs; ++c) {
    level[static_cast<std::size_t>(c)] = staircase(c);
    if (level[static_cast<std::size_t>(c)] < 0 || level[static_cast<std::size_t>(c)] > outputs) {
      throw Error("SC selective interconnect: staircase value " + std::to_string(level[static_cast<std::size_t>(c)]) +
                  " at input " + std::to_string(c) + " is outside 0.." + std::to_string(outputs));
    }
  }
  // Wire j is 1 iff N(c) > j; its zeros {c : N(c) <= j} must be one run [fall, rise).
  std::vector<SelectedWire> wires;
  for (int j = 0; j < outputs; ++j) {
    int first = -1, last = -1;
    for (int c = 0; c <= inputs; ++c) {
      if (level[static_cast<std::size_t>(c)] > j) continue;
      if (first < 0) first = c;
      if (last >= 0 && last != c - 1) {
        throw Error("SC selective interconnect: the staircase has more than one valley (output " + std::to_string(j) +
                    " is 0 on separate input runs)");
      }
      last = c;
    }
    wires.push_back(first < 0 ? SelectedWire{0, 0} : SelectedWire{first, last + 1});
  }
  return {inputs, std::move(wires)};
}

int SelectiveInterconnect::gated_wires() const {
  int n = 0;
  for (const auto& w : wires_) n += w.gated() ? 1 : 0;
  return n;
}

int SelectiveInterconnect::simulate(const std::vector<bool>& input_wires) const {
  if (static_cast<int>(input_wires.size()) != inputs_) {
    throw Error("SC selective interconnect over " + std::to_string(inputs_) + " inputs given " +
                std::to_string(input_wires.size()) + " wires");
  }
  std::vector<std::uint64_t> lanes(input_wires.size());
  for (std::size_t i = 0; i < input_wires.size(); ++i) lanes[i] = input_wires[i] ? 1 : 0;
  return count_outputs(BitonicSorter(inputs_), wires_, std::move(lanes))[0];
}

Hardware SelectiveInterconnect::hardware() const {
  Hardware h = BitonicSorter(inputs_).hardware();
  const int gates = gated_wires();
  h.and2 += gates;
  if (gates > 0) h.depth += 0.5;
  return h;
}

}  // namespace vitdse::arith

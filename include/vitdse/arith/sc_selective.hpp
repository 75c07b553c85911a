// Deterministic SC functions: a bitonic sorter and a gate-assisted selective interconnect.
#pragma once

#include <functional>
#include <vector>

#include "vitdse/arith/hardware.hpp"

namespace vitdse::arith {

/// One output wire of a selective interconnect over the sorted wires s[0..m-1] of a bitonic
/// sorter, where s[i] = 1 iff the input code holds more than i ones (c > i). The wire is 1 iff
/// c < fall or c >= rise:
///  - fall = 0: a plain selected wire s[rise-1] (constant 1 if rise = 0, 0 if rise = m + 1);
///  - fall >= 1: the complement of the window bit s[fall-1] AND NOT s[rise-1], one gate
///    (NOT s[fall-1] OR s[rise-1]); it is what makes a non-monotone staircase possible.
struct SelectedWire {
  int fall = 0;
  int rise = 0;
  [[nodiscard]] bool gated() const { return fall > 0; }
  [[nodiscard]] bool value(int count) const { return count < fall || count >= rise; }
};

/// A selective interconnect (SI) with window gates, after ASCEND (Xie et al., DATE 2024): an
/// m-wire unary input code is sorted by a bitonic sorting network (BSN) and L output wires are
/// selected from the sorted wires, some through one gate. The output is the thermometer code of
/// a staircase N(c) in 0..L, c the number of input ones: wire j is 1 iff N(c) > j. A plain SI
/// (no gates) makes only non-decreasing staircases; with gates any staircase that falls and
/// then rises (one valley) is exact.
///
///     auto si = SelectiveInterconnect::fit(8, 4, [](int c) { return c >= 4 ? c - 4 : 4 - c; });
///     si.output_count(0) == 4 && si.output_count(4) == 0 && si.output_count(8) == 4;
class SelectiveInterconnect {
 public:
  /// The interconnect whose staircase is `staircase(c)` for c in 0..inputs. inputs: a power of
  /// two in 2..1024 (the sorter's range); outputs: 1..4096. Throws Error when a value is
  /// outside 0..outputs or the staircase has more than one valley.
  static SelectiveInterconnect fit(int inputs, int outputs, const std::function<int(int)>& staircase);

  [[nodiscard]] int inputs() const { return inputs_; }
  [[nodiscard]] int outputs() const { return static_cast<int>(wires_.size()); }
  [[nodiscard]] const std::vector<SelectedWire>& wires() const { return wires_; }
  [[nodiscard]] int gated_wires() const;

  /// Simulates the circuit on one input code: the m input wires (any order, bit i of word
  /// i / 64 for wire i) are sorted by the BSN and the selected wires' ones are counted. The
  /// counts of all m + 1 input codes, computed this way 64 codes at a time, are tabulated at
  /// fit(), so output_count() is the simulated circuit's output.
  [[nodiscard]] int simulate(const std::vector<bool>& input_wires) const;
  /// The number of ones on the output wires for an input code with `count` ones.
  [[nodiscard]] int output_count(int count) const { return table_[static_cast<std::size_t>(count)]; }

  /// The sorter (m·k(k+1)/4 compare-and-swap cells for m = 2^k, two gates each) and one gate
  /// per gated wire; selected wires are wiring. Depth: the sorter's k(k+1)/2 stages plus the
  /// gate, half an FA each. One cycle: the whole code is processed in parallel.
  [[nodiscard]] Hardware hardware() const;

 private:
  SelectiveInterconnect(int inputs, std::vector<SelectedWire> wires);

  int inputs_;
  std::vector<SelectedWire> wires_;
  std::vector<int> table_;
};

/// The input order in which simulations present a code of `count` ones on `inputs` wires: the
/// ones on the wires whose bit-reversed index is below `count`, so they arrive scattered (as
/// the product bits of a BSN multiply-accumulate do) and the sorter has real work to do.
[[nodiscard]] std::vector<bool> scattered_code(int count, int inputs);

}  // namespace vitdse::arith

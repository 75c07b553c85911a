// SC accumulation: summing many product streams per cycle (MUX, OR, APC, bitonic sorting network).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/sc_generator.hpp"
#include "vitdse/arith/sc_stream.hpp"

namespace vitdse::arith {

/// Scaled addition with a MUX: each cycle the select line, drawn from its own generator (see
/// select_generator()), picks one input, so the output carries the mean of the inputs' values
/// with the extra sampling error of one draw per cycle. inputs: a power of two in 2..64, all of
/// one length; `select` must be log2(inputs) bits wide.
///
///     auto sel = select_generator(SngKind::counter, 2);   // alternates 0, 1
///     mux_add(streams, *sel);  // cycle t copies streams[t % 2]
[[nodiscard]] Bitstream mux_add(std::span<const Bitstream> inputs, const NumberGenerator& select);

/// OR "addition": 1 - prod(1 - p_i), close to the sum only while the sum is small; 1..1024 inputs.
[[nodiscard]] Bitstream or_add(std::span<const Bitstream> inputs);

/// The approximate parallel counter's job done exactly: the number of ones across the inputs at
/// every cycle (no approximation; 1..1024 inputs of one length). Counted bit-sliced, as a chain
/// of half-adder planes over 64 cycles at a time.
///
///     parallel_count(streams)[t] == number of i with streams[i].test(t)
[[nodiscard]] std::vector<int> parallel_count(std::span<const Bitstream> inputs);

/// A bitonic sorting network over n = 2^k one-bit inputs (k in 1..10), built from
/// compare-and-swap cells: (a, b) -> (a OR b, a AND b), the larger bit to `high`. The network
/// sorts descending, so its output is the thermometer code of the count of ones. It has
/// n·k(k+1)/4 cells in k(k+1)/2 stages.
///
///     BitonicSorter bsn(8);
///     bsn.sort_bits(0b10010010) == 0b00000111;  // three ones move to outputs 0..2
class BitonicSorter {
 public:
  struct Cell {
    int high, low;  ///< output positions of the OR (max) and the AND (min)
  };

  explicit BitonicSorter(int inputs);

  [[nodiscard]] int inputs() const { return inputs_; }
  [[nodiscard]] const std::vector<std::vector<Cell>>& stages() const { return stages_; }
  [[nodiscard]] int cell_count() const;
  [[nodiscard]] int depth() const { return static_cast<int>(stages_.size()); }

  /// Sorts one cycle of up to 64 inputs given as bits of `x` (bit i = input i).
  [[nodiscard]] std::uint64_t sort_bits(std::uint64_t x) const;
  /// Sorts 64 cycles at once: `lanes[i]` holds 64 cycles of input i; every cell is one OR and
  /// one AND of words. Afterwards lanes[0] holds each cycle's largest bit, and so on.
  void sort_words(std::span<std::uint64_t> lanes) const;

  /// Two gates (AND2, OR2 ~ AND2) per cell; depth half an FA per stage.
  [[nodiscard]] Hardware hardware() const;

 private:
  int inputs_;
  std::vector<std::vector<Cell>> stages_;
};

/// Exact addition with a BSN: per cycle the inputs (a power of two in 2..1024) are sorted and
/// the thermometer output is decoded at its 1 -> 0 edge into a binary count.
[[nodiscard]] std::vector<int> bsn_count(std::span<const Bitstream> inputs);

/// Cells: an `inputs`:1 MUX tree (inputs - 1 MUX2), without its select generator.
[[nodiscard]] Hardware mux_adder_hardware(int inputs);
/// Cells: an OR tree (inputs - 1 two-input ORs, priced as AND2).
[[nodiscard]] Hardware or_adder_hardware(int inputs);
/// Cells: an exact parallel counter of `inputs` bits, full adders 3 -> 2 and half adders for
/// leftover pairs, column by column (8 inputs: 4 FA + 3 HA).
[[nodiscard]] Hardware apc_hardware(int inputs);
/// Cells: the sorter plus the thermometer-to-binary decoder (an edge detector per output and an
/// OR encoder).
[[nodiscard]] Hardware bsn_adder_hardware(int inputs);
/// The output counter of a serial unit: bit_width(L) bits (log2(L)+1 for a power of two L), a
/// DFF and a half adder per bit.
[[nodiscard]] Hardware output_counter_hardware(int length);
/// A binary accumulator of `sum_bits` that adds a `count_bits`-bit count each cycle: a DFF per
/// bit, full adders for the count's bits and half adders for the carry above them.
[[nodiscard]] Hardware accumulator_hardware(int count_bits, int sum_bits);

}  // namespace vitdse::arith

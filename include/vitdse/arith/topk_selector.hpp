// The selector behind dynamic FFN2 pruning: for each token, which of its hidden activations are
// the `kept` of largest magnitude, priced as a circuit.
#pragma once

#include <cstdint>

#include "vitdse/arith/hardware.hpp"

namespace vitdse::arith {

/// A radix select over the magnitudes of one token's `hidden` codes of `bits` bits, on one lane:
/// a pass over the codes fills a histogram of the 2^(bits-1) magnitudes, a scan of it from the
/// top finds the smallest magnitude still kept, and each code is compared with that threshold as
/// it is read for fc2. One code per cycle, one histogram bin per cycle.
struct TopkSelectorHardware {
  Hardware element;  ///< per code: magnitude, histogram update, threshold comparison
  Hardware row;      ///< per token: the histogram scan; holds the histogram itself
};

/// Throws Error unless 2 <= bits <= 16 and hidden >= 1.
TopkSelectorHardware topk_selector_hardware(int bits, std::int64_t hidden);

}  // namespace vitdse::arith

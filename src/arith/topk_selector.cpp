// The dynamic FFN2 selector's cell account.
#include "vitdse/arith/topk_selector.hpp"

#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::arith {

TopkSelectorHardware topk_selector_hardware(int bits, std::int64_t hidden) {
  if (bits < 2 || bits > 16)
    throw Error("top-k selector: " + std::to_string(bits) + " bits is out of range; allowed 2..16");
  if (hidden < 1) throw Error("top-k selector: " + std::to_string(hidden) + " hidden units; need at least 1");
  const int magnitude = bits - 1;  // |code| of a two's-complement code: bits - 1 bits
  int count = 0;                   // a counter that reaches `hidden`
  while ((std::int64_t{1} << count) <= hidden) ++count;
  const double bins = static_cast<double>(std::int64_t{1} << magnitude);

  TopkSelectorHardware s;
  // |x|: invert by the sign bit, then add it (a conditional two's complement).
  s.element.xor2 = magnitude;
  s.element.ha = magnitude;
  // The histogram bin of |x| plus one: a decoder of 2^m AND gates and a count-bit incrementer.
  s.element.and2 = bins;
  s.element.ha += count;
  // Kept if |x| >= threshold: a subtractor's carry chain.
  s.element.fa = magnitude;
  s.element.depth = magnitude + count;
  s.element.cycles = 1;

  // From the top bin down: a running sum of the counts, compared with `kept` each step.
  s.row.fa = 2.0 * count;
  s.row.dff = bins * count + count;  // the histogram and the running sum
  s.row.depth = count;
  s.row.cycles = bins;
  return s;
}

}  // namespace vitdse::arith

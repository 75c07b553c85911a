// A technology-independent account of a unit's circuit: standard-cell counts and logic depth.
#pragma once

namespace vitdse::arith {

/// Cells in a unit's datapath. The cost layer prices these at a technology node, so arith
/// never needs to know about nodes or voltages. Counts may be fractional (averages).
struct Hardware {
  double and2 = 0;    ///< 2-input AND/NAND (partial-product generation)
  double xor2 = 0;    ///< 2-input XOR/XNOR
  double ha = 0;      ///< half adders
  double fa = 0;      ///< full adders
  double mux2 = 0;    ///< 2:1 multiplexers (shifters, selectors)
  double dff = 0;     ///< flip-flops (state, pipeline registers)
  double depth = 0;   ///< critical path in full-adder delays
  double cycles = 1;  ///< clock cycles per operation (a serial SC stream of length L: L)
  /// Floating-point work, run on one fp16 multiply-add lane: every operation costs energy;
  /// the lane's multiplier and adder cost area once; `cycles` must cover the operations.
  double fp16_mul = 0;  ///< fp16 multiplications per operation
  double fp16_add = 0;  ///< fp16 additions per operation

  /// Places `o` beside this circuit: cells add up; depth and cycles are the larger of the two.
  Hardware& operator+=(const Hardware& o) {
    and2 += o.and2;
    xor2 += o.xor2;
    ha += o.ha;
    fa += o.fa;
    mux2 += o.mux2;
    dff += o.dff;
    fp16_mul += o.fp16_mul;
    fp16_add += o.fp16_add;
    depth = depth > o.depth ? depth : o.depth;
    cycles = cycles > o.cycles ? cycles : o.cycles;
    return *this;
  }
};

/// True when the account holds no cells and no floating-point work.
inline bool is_empty(const Hardware& h) {
  return h.and2 + h.xor2 + h.ha + h.fa + h.mux2 + h.dff + h.fp16_mul + h.fp16_add == 0;
}

/// An n-bit ripple-carry adder.
inline Hardware adder_hardware(int bits) {
  Hardware h;
  h.fa = bits;
  h.depth = bits;
  return h;
}

/// A leading-one detector with a binary encoder over n bits: a priority chain of 2n gates and
/// an encoder of (n/2)·log2(n) OR gates (counted as 2-input gates).
inline Hardware leading_one_hardware(int bits) {
  Hardware h;
  int stages = 0;
  while ((1 << stages) < bits) ++stages;
  h.and2 = 2.0 * bits + 0.5 * bits * stages;
  h.depth = stages;
  return h;
}

/// A logarithmic barrel shifter of `width` bits over `positions` shift amounts.
inline Hardware shifter_hardware(int width, int positions) {
  Hardware h;
  int stages = 0;
  while ((1 << stages) < positions) ++stages;
  h.mux2 = static_cast<double>(width) * stages;
  h.depth = 0.5 * stages;  // a mux is about half a full adder's delay
  return h;
}

/// Operations executed one after another on one fp16 multiply-add lane.
inline Hardware fp16_recipe(double mults, double adds) {
  Hardware h;
  h.fp16_mul = mults;
  h.fp16_add = adds;
  h.cycles = mults > adds ? mults : adds;
  h.depth = 24;  // an 11-bit mantissa array (2 x 11 full adders) plus normalisation, per cycle
  return h;
}

/// A lane's share of a circuit that `lanes` lanes share (SC number generators): every cell
/// count divided by `lanes`; depth and cycles unchanged.
inline Hardware lane_share(Hardware h, int lanes) {
  const double f = 1.0 / lanes;
  h.and2 *= f;
  h.xor2 *= f;
  h.ha *= f;
  h.fa *= f;
  h.mux2 *= f;
  h.dff *= f;
  return h;
}

/// An n-bit register.
inline Hardware register_hardware(int bits) {
  Hardware h;
  h.dff = bits;
  return h;
}

}  // namespace vitdse::arith

// Brown and Card's stochastic tanh: simulation, steady state and cells.
#include "vitdse/arith/sc_fsm.hpp"

#include <bit>
#include <cmath>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

int state_bits(int states) {
  if (states < 2 || states > 256 || !std::has_single_bit(static_cast<unsigned>(states))) {
    throw Error("SC Stanh with " + std::to_string(states) + " states; allowed a power of two in 2..256");
  }
  return std::countr_zero(static_cast<unsigned>(states));
}

}  // namespace

Bitstream stanh_stream(const Bitstream& input, int states) {
  state_bits(states);
  Bitstream out(input.length());
  int state = states / 2;
  for (int t = 0; t < input.length(); ++t) {
    out.set(t, state >= states / 2);
    if (input.test(t)) {
      state = std::min(state + 1, states - 1);
    } else {
      state = std::max(state - 1, 0);
    }
  }
  return out;
}

double stanh_steady_state(double v, int states) {
  state_bits(states);
  return std::tanh(0.5 * states * std::atanh(v));
}

Hardware stanh_hardware(int states) {
  const int bits = state_bits(states);
  Hardware h;
  h.dff = bits;
  h.fa = bits;
  h.and2 = 2.0 * (bits - 1);
  h.depth = bits;
  return h;
}

}  // namespace vitdse::arith

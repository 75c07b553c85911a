// The saturating-counter FSM of stochastic computing: Brown and Card's stochastic tanh.
#pragma once

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/sc_stream.hpp"

namespace vitdse::arith {

/// Stanh (Brown & Card, IEEE Trans. Computers 50(9), 2001): a saturating up/down counter of K
/// states (K a power of two in 2..256) that starts at K/2, counts up on an input 1 and down on a
/// 0. Output t is 1 iff the state before input t is at least K/2, i.e. the counter's top bit.
/// For a bipolar input of value v its output tends to tanh((K/2)·atanh(v)) (stanh_steady_state),
/// about tanh(K·v/2) for small v.
///
///     stanh_stream(Bitstream::from_string("11110000"), 4).to_string() == "11111100";
[[nodiscard]] Bitstream stanh_stream(const Bitstream& input, int states);

/// The stationary bipolar output of Stanh for bipolar input v in (-1, 1): the counter is a
/// birth-death chain with up/down odds r = (1 + v)/(1 - v), so P(state >= K/2) =
/// 1 / (1 + r^(-K/2)) and the bipolar value is tanh((K/2)·atanh(v)).
[[nodiscard]] double stanh_steady_state(double v, int states);

/// log2(K) DFF, an incrementer/decrementer (log2(K) FA) and saturation detection (an AND tree
/// over the bits for all-ones and one for all-zeros, 2·(log2(K) - 1) AND2). Depth: the carry
/// chain.
[[nodiscard]] Hardware stanh_hardware(int states);

}  // namespace vitdse::arith

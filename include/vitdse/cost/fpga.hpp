// FPGA resources: how a PE and a buffer map onto DSP slices, LUTs, flip-flops and block RAM.
#pragma once

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/cost/arch.hpp"

namespace vitdse::cost {

/// Resources, used or available.
struct FpgaResources {
  double dsp = 0, bram36 = 0, luts = 0, ffs = 0;
  FpgaResources& operator+=(const FpgaResources& o) {
    dsp += o.dsp;
    bram36 += o.bram36;
    luts += o.luts;
    ffs += o.ffs;
    return *this;
  }
};

/// LUTs of a cell account on a fabric of 6-input LUTs with carry chains (Xilinx UG574): one LUT
/// per full or half adder (its sum, the carry riding the chain) and one per two simple gates,
/// which a LUT absorbs together. An estimate from the account, not a synthesis result.
[[nodiscard]] double fpga_luts(const arith::Hardware& h);

/// One PE: its multiplier and an `acc_bits` accumulator. An exact multiplier sits in a DSP slice
/// (1 / macs_per_dsp of one when both operands are at most packed_bits wide), with the
/// accumulator and pipeline registers inside it; any other multiplier is built from LUTs and
/// flip-flops, with a LUT adder and registers for the operands and the sum.
[[nodiscard]] FpgaResources fpga_pe(const FpgaDevice& device, const arith::Multiplier& multiplier, int acc_bits);

/// 36 Kb block RAMs of a buffer: every bank takes enough for its capacity and its word width
/// (a RAMB36 is at most 72 bits wide in simple dual-port mode, Xilinx UG573).
[[nodiscard]] double fpga_bram36(const Buffer& buffer);

}  // namespace vitdse::cost

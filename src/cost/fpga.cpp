// Mapping PEs and buffers onto an FPGA's DSP slices, LUTs, flip-flops and block RAM.
#include "vitdse/cost/fpga.hpp"

#include <algorithm>
#include <cmath>

namespace vitdse::cost {

namespace {

constexpr double kBram36Bits = 36.0 * 1024;  // RAMB36E2 data bits (UG573)
constexpr double kBram36MaxWidth = 72;       // simple dual-port width (UG573)

}  // namespace

double fpga_luts(const arith::Hardware& h) { return h.fa + h.ha + std::ceil((h.and2 + h.xor2 + h.mux2) / 2); }

FpgaResources fpga_pe(const FpgaDevice& device, const arith::Multiplier& multiplier, int acc_bits) {
  FpgaResources r;
  if (multiplier.exact()) {
    r.dsp = multiplier.bits() <= device.packed_bits ? 1.0 / device.macs_per_dsp : 1.0;
    return r;
  }
  const arith::Hardware h = multiplier.hardware();
  r.luts = fpga_luts(h) + acc_bits;
  r.ffs = h.dff + 2.0 * multiplier.bits() + acc_bits;
  return r;
}

double fpga_bram36(const Buffer& buffer) {
  const double bank_bits = buffer.bank_kib() * 8192.0;
  return buffer.banks * std::max(std::ceil(bank_bits / kBram36Bits), std::ceil(buffer.word_bits / kBram36MaxWidth));
}

}  // namespace vitdse::cost

// FPGA targets: DSP packing, LUT and block-RAM accounts, and the ZCU102 template's figures.
#include "vitdse/cost/fpga.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/cost/cost_model.hpp"

namespace vitdse::cost {

namespace {

FpgaDevice packing_device() {
  FpgaDevice d;
  d.macs_per_dsp = 2;
  d.packed_bits = 8;
  return d;
}

}  // namespace

TEST(Fpga, ExactMultipliersPackIntoDspSlices) {
  const FpgaDevice d = packing_device();
  // Two 8-bit MACs share a DSP48E2; wider ones take a whole slice; neither needs LUTs.
  const auto e8 = fpga_pe(d, *arith::make_multiplier("exact:8s"), 24);
  EXPECT_DOUBLE_EQ(e8.dsp, 0.5);
  EXPECT_DOUBLE_EQ(e8.luts, 0);
  EXPECT_DOUBLE_EQ(e8.ffs, 0);
  EXPECT_DOUBLE_EQ(fpga_pe(d, *arith::make_multiplier("exact:4u"), 24).dsp, 0.5);
  EXPECT_DOUBLE_EQ(fpga_pe(d, *arith::make_multiplier("exact:12s"), 24).dsp, 1.0);
}

TEST(Fpga, ApproximateMultipliersAreBuiltFromLuts) {
  const FpgaDevice d = packing_device();
  const auto drum = arith::make_multiplier("drum:8s:k=4");
  const arith::Hardware h = drum->hardware();
  const auto pe = fpga_pe(d, *drum, 24);
  EXPECT_DOUBLE_EQ(pe.dsp, 0);
  // One LUT per adder cell, one per two simple gates, plus a 24-bit LUT accumulator.
  EXPECT_DOUBLE_EQ(pe.luts, h.fa + h.ha + std::ceil((h.and2 + h.xor2 + h.mux2) / 2) + 24);
  EXPECT_DOUBLE_EQ(pe.ffs, h.dff + 2 * 8 + 24);
  arith::Hardware gates;
  gates.and2 = 3;
  gates.mux2 = 2;
  gates.fa = 4;
  EXPECT_DOUBLE_EQ(fpga_luts(gates), 4 + 3);
  // Fewer kept bits, fewer LUTs.
  EXPECT_LT(fpga_pe(d, *arith::make_multiplier("drum:8s:k=3"), 24).luts, pe.luts);
}

TEST(Fpga, BuffersTakeBlockRamsForCapacityAndWidth) {
  Buffer b;
  b.kib = 1024;
  b.banks = 16;  // 64 KiB banks: 524288 bits over 36864 per RAMB36 -> 15 each
  b.word_bits = 64;
  EXPECT_DOUBLE_EQ(fpga_bram36(b), 16 * 15);
  b.kib = 16;
  b.banks = 4;  // 4 KiB banks fit one RAMB36 by capacity, but 256-bit words need four side by side
  b.word_bits = 256;
  EXPECT_DOUBLE_EQ(fpga_bram36(b), 4 * 4);
}

TEST(Fpga, Zcu102TemplateUsesItsDevice) {
  const model::Workload w(model::load_model_card("efficientvit-b1"));
  const ArchTemplate arch = load_arch("efficientvit-zcu102");
  ASSERT_EQ(arch.target, Target::fpga);
  const CostReport r = CostModel(w, arch).evaluate(model::default_design(w));
  ASSERT_TRUE(r.fpga.has_value());
  // (8x8 + 8x8) x 16 = 2048 multipliers, two per DSP, 2 ops each at 200 MHz.
  EXPECT_DOUBLE_EQ(r.fpga->used.dsp, 1024);
  EXPECT_NEAR(r.peak_gops, 819.2, 1e-9);
  EXPECT_NEAR(r.fpga->peak_gops_per_dsp, 0.8, 1e-12);
  EXPECT_NEAR(r.fpga->gops_per_dsp, r.gops / 1024, 1e-12);
  EXPECT_DOUBLE_EQ(r.fpga->used.bram36, 16 * 15 + 32 * 15);
  EXPECT_TRUE(r.fpga->fits());
  // The device draws its measured power, 780.2 GOPS / 105.1 GOPS/W, whatever it runs; an FPGA
  // has no area and no counted chip energy.
  EXPECT_NEAR(r.chip_power_mW, 7423, 1e-6);
  EXPECT_NEAR(r.tops_per_W * 1e3, r.gops / 7.423, 1e-9);
  EXPECT_DOUBLE_EQ(r.area.total_mm2(), 0);
  EXPECT_DOUBLE_EQ(r.energy.mac_uJ + r.energy.sram_uJ + r.energy.static_uJ + r.energy.nonlinear_uJ, 0);
  EXPECT_GT(r.energy.dram_uJ, 0);
}

TEST(Fpga, ApproximateDesignsMoveMacsFromDspsToLuts) {
  const model::Workload w(model::load_model_card("deit-tiny"));
  const CostModel m(w, load_arch("efficientvit-zcu102"));
  const CostReport exact = m.evaluate(model::default_design(w));
  const CostReport drum = m.evaluate(model::parse_design("version: 1\ndefaults: {mult: 'drum:8s:k=4'}\n", "d.yaml", w));
  EXPECT_DOUBLE_EQ(drum.fpga->used.dsp, 0);
  EXPECT_DOUBLE_EQ(drum.fpga->used.luts,
                   2048 * fpga_pe(m.arch().fpga, *arith::make_multiplier("drum:8s:k=4"), 24).luts);
  EXPECT_GT(drum.fpga->used.luts, exact.fpga->used.luts);
  EXPECT_DOUBLE_EQ(exact.fpga->used.luts, 0);
}

TEST(Fpga, DepthwiseModeRunsGroupsSideBySide) {
  // Grouped GEMMs (EfficientViT's depthwise convolutions, one output column per group) leave
  // all but one column idle when run one group at a time; a depthwise mode fills the columns.
  // Attention heads are groups too, of 197 columns each, so DeiT gains only the last partial tile.
  ArchTemplate parallel = load_arch("efficientvit-zcu102");
  ArchTemplate serial = parallel;
  serial.grouped = GroupedMapping::serial;
  const auto cycles = [](const model::Workload& w, const ArchTemplate& a) {
    return CostModel(w, a).evaluate(model::default_design(w)).cycles;
  };
  const model::Workload b1(model::load_model_card("efficientvit-b1"));
  EXPECT_LT(cycles(b1, parallel), 0.6 * cycles(b1, serial));
  const model::Workload deit(model::load_model_card("deit-tiny"));
  EXPECT_LT(cycles(deit, parallel), cycles(deit, serial));
  EXPECT_GT(cycles(deit, parallel), 0.99 * cycles(deit, serial));
}

}  // namespace vitdse::cost

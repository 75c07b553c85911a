// Technology table: calibration against EvoApproxLib and Horowitz, memories, bad tables.
#include "vitdse/cost/technology.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::cost {

TEST(Technology, ExactMultipliersLandInTheEvoApproxBand) {
  const auto tech = load_technology("cmos45");
  // EvoApproxLib v1.0 (PDK45): mul8s_1KV8 729.8 um^2, 1.48 ns; mul8u_1JFF 709.6 um^2, 1.43 ns.
  const UnitCost s = tech.price(arith::make_multiplier("exact:8s")->hardware());
  const UnitCost u = tech.price(arith::make_multiplier("exact:8u")->hardware());
  EXPECT_NEAR(s.area_um2, 729.8, 1e-9);          // the anchor: equal by construction
  EXPECT_NEAR(u.area_um2, 709.6, 0.01 * 709.6);  // not the anchor: an independent check, ±1%
  EXPECT_NEAR(u.delay_ns, 1.43, 0.05 * 1.43);    // 1.48 ns against 1.43: ±5%
  // Horowitz (ISSCC 2014): 8-bit multiply 0.2 pJ; 32-bit 3.1 pJ, i.e. x15.5 for w^2 scaling.
  EXPECT_NEAR(s.energy_pJ, 0.2, 0.02);
  const UnitCost wide = tech.price(arith::make_multiplier("exact:16s")->hardware());
  EXPECT_NEAR(wide.energy_pJ / s.energy_pJ, 4.0, 0.4);  // product law wa*wb
  // Horowitz adders: 8-bit 0.03 pJ, 32-bit 0.1 pJ (linear in width).
  EXPECT_NEAR(tech.price(arith::adder_hardware(8)).energy_pJ, 0.03, 0.015);
  EXPECT_NEAR(tech.price(arith::adder_hardware(32)).energy_pJ, 0.1, 0.05);
}

TEST(Technology, FlipFlopsCostTheirCellAreaAndGatesTheAnchorFactor) {
  const auto tech = load_technology("cmos45");
  EXPECT_DOUBLE_EQ(tech.table().sequential_area_factor, 1.0);
  // Flops: NanGate DFFR_X1, 5.32 um^2 each, not the anchor's 2.415x.
  EXPECT_NEAR(tech.price(arith::register_hardware(8)).area_um2, 8 * 5.32, 1e-9);
  // Combinational cells keep the anchor's calibration: 729.8 um^2 over its 302.2 um^2 raw.
  const arith::Hardware anchor = anchor_hardware();
  EXPECT_DOUBLE_EQ(anchor.dff, 0);
  const double raw = 64 * 1.064 + 50 * 4.256 + 8 * 2.660;
  EXPECT_NEAR(tech.price(arith::adder_hardware(8)).area_um2, 8 * 4.256 * 729.8 / raw, 1e-9);
  // A mixed account adds the two; energy stays proportional to raw cell area, flops included.
  arith::Hardware mixed = arith::adder_hardware(8);
  mixed += arith::register_hardware(8);
  EXPECT_NEAR(tech.price(mixed).area_um2, 8 * 4.256 * 729.8 / raw + 8 * 5.32, 1e-9);
  EXPECT_NEAR(tech.price(arith::register_hardware(8)).energy_pJ, 8 * 5.32 * 0.2 / raw, 1e-12);
  // At 40 nm a flop is 4.07 um^2: UnarySim's reset flop in TSMC 40 nm LP is 4.057 um^2.
  const auto t40 = load_technology("cmos45", 40);
  EXPECT_NEAR(t40.price(arith::register_hardware(1)).area_um2 / 4.0572, 1.0, 0.01);
}

TEST(Technology, SequentialFactorIsOptionalAndChecked) {
  test::TempDir dir;
  const std::string head =
      "version: 1\nname: t\nnode_nm: 45\nvdd_V: 0.9\n"
      "cells:\n"
      "  area_um2: {and2: 1.064, xor2: 1.596, ha: 2.660, fa: 4.256, mux2: 1.862, dff: 4.522}\n"
      "  anchor: {area_um2: 729.8, energy_pJ: 0.2, delay_ns: 1.48}\n";
  const std::string tail =
      "fp16: {mult_pJ: 1.1, add_pJ: 0.4, mult_um2: 1640, add_um2: 1360}\n"
      "sram:\n  access_pJ_per_64b: [{kib: 8, pJ: 10}, {kib: 32, pJ: 20}]\n  area_um2_per_bit: 0.528\n"
      "dram: {pJ_per_bit: 20.3}\nstatic: {mW_per_mm2: 15}\n"
      "scaling:\n  nodes: [{node_nm: 45, energy: 1.0, area: 1.0, delay: 1.0}, "
      "{node_nm: 32, energy: 0.643, area: 0.46, delay: 0.92}]\n";
  const auto plain = load_technology(dir.write("plain.yaml", head + tail));
  EXPECT_DOUBLE_EQ(plain.table().sequential_area_factor, 1.0);
  const auto doubled = load_technology(dir.write("x2.yaml", head + "  sequential: {area_factor: 2.0}\n" + tail));
  EXPECT_NEAR(doubled.price(arith::register_hardware(1)).area_um2, 2 * 4.522, 1e-9);
  EXPECT_NEAR(doubled.price(arith::adder_hardware(8)).area_um2, plain.price(arith::adder_hardware(8)).area_um2, 1e-9);
  try {
    (void)load_technology(dir.write("bad.yaml", head + "  sequential: {area_factor: 0}\n" + tail));
    ADD_FAILURE() << "a zero sequential factor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("area_factor"), std::string::npos) << e.what();
  }
}

TEST(Technology, SramReproducesHorowitzPoints) {
  const auto tech = load_technology("cmos45");
  EXPECT_NEAR(tech.sram_access_pJ(8, 64), 10, 1e-9);
  EXPECT_NEAR(tech.sram_access_pJ(32, 64), 20, 1e-9);
  EXPECT_NEAR(tech.sram_access_pJ(1024, 64), 100, 1e-9);
  EXPECT_NEAR(tech.sram_access_pJ(8, 32), 5, 1e-9);  // Horowitz: 32-bit read of 8 KB, 5 pJ
  EXPECT_LT(tech.sram_access_pJ(4, 64), 10);
  EXPECT_GT(tech.sram_access_pJ(256, 64), 20);
  EXPECT_LT(tech.sram_access_pJ(256, 64), 100);
}

TEST(Technology, NodeScalesEverything) {
  const auto t45 = load_technology("cmos45");
  const auto t28 = load_technology("cmos45", 28);
  EXPECT_LT(t28.sram_access_pJ(8, 64), t45.sram_access_pJ(8, 64));
  EXPECT_LT(t28.sram_area_um2(8), t45.sram_area_um2(8));
  EXPECT_LT(t28.price(arith::fp16_recipe(4, 4)).energy_pJ, t45.price(arith::fp16_recipe(4, 4)).energy_pJ);
  EXPECT_LT(t28.price(arith::fp16_recipe(4, 4)).area_um2, t45.price(arith::fp16_recipe(4, 4)).area_um2);
  EXPECT_THROW(load_technology("cmos45", 3), Error);
}

TEST(Technology, Fp16WorkUsesHorowitzFigures) {
  // Horowitz: FP16 multiply 1.1 pJ / 1640 um^2, add 0.4 pJ / 1360 um^2. Energy counts every
  // operation; area counts one multiplier and one adder per lane.
  const auto tech = load_technology("cmos45");
  const UnitCost exp = tech.price(arith::fp16_recipe(4, 4));
  EXPECT_NEAR(exp.energy_pJ, 4 * 1.1 + 4 * 0.4, 1e-12);
  EXPECT_NEAR(exp.area_um2, 1640 + 1360, 1e-9);
  EXPECT_NEAR(tech.price(arith::fp16_recipe(0, 3)).area_um2, 1360, 1e-9);
}

TEST(Technology, BadTablesFailClearly) {
  test::TempDir dir;
  try {
    load_technology("cmos46");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown technology 'cmos46' (did you mean 'cmos45'?); available: cmos45"),
              std::string::npos)
        << e.what();
  }
  const auto path = dir.write("t.yaml", "version: 1\nname: x\nnode_nm: 45\nvdd_V: 0.9\ncells: [1\n");
  EXPECT_THROW(load_technology(path), Error);
}

}  // namespace vitdse::cost

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
  EXPECT_NEAR(s.area_um2, 729.8, 0.2 * 729.8);
  EXPECT_NEAR(u.area_um2, 709.6, 0.2 * 709.6);  // not the anchor: an independent check
  EXPECT_NEAR(u.delay_ns, 1.43, 0.2 * 1.43);
  // Horowitz (ISSCC 2014): 8-bit multiply 0.2 pJ; 32-bit 3.1 pJ, i.e. x15.5 for w^2 scaling.
  EXPECT_NEAR(s.energy_pJ, 0.2, 0.02);
  const UnitCost wide = tech.price(arith::make_multiplier("exact:16s")->hardware());
  EXPECT_NEAR(wide.energy_pJ / s.energy_pJ, 4.0, 0.4);  // product law wa*wb
  // Horowitz adders: 8-bit 0.03 pJ, 32-bit 0.1 pJ (linear in width).
  EXPECT_NEAR(tech.price(arith::adder_hardware(8)).energy_pJ, 0.03, 0.015);
  EXPECT_NEAR(tech.price(arith::adder_hardware(32)).energy_pJ, 0.1, 0.05);
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

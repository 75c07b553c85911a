// Node scaling: the shipped table is monotone and interpolates to the REFERENCE factors.
#include "vitdse/cost/node_scaling.hpp"

#include <gtest/gtest.h>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/cost/technology.hpp"

namespace vitdse::cost {

TEST(NodeScaling, ShippedTableIsMonotoneEverywhere) {
  const auto tech = load_technology("cmos45");
  const auto& scaling = tech.scaling();
  ScaleFactors previous = scaling.at(scaling.min_node());
  for (double node = scaling.min_node() + 0.5; node <= scaling.max_node(); node += 0.5) {
    const ScaleFactors f = scaling.at(node);
    EXPECT_GE(f.energy, previous.energy) << node;
    EXPECT_GE(f.area, previous.area) << node;
    EXPECT_GE(f.delay, previous.delay) << node;
    previous = f;
  }
}

TEST(NodeScaling, InterpolatedNodesMatchReference) {
  // REFERENCE.md (Stillmaker & Baas 2017, interpolated): 28 nm energy x0.51, area x0.38;
  // 22 nm energy x0.31, area x0.25; tabulated 32 nm x0.64 / x0.46.
  const auto tech = load_technology("cmos45");
  const auto& s = tech.scaling();
  EXPECT_NEAR(s.at(32).energy, 0.64, 0.01);
  EXPECT_NEAR(s.at(32).area, 0.46, 0.005);
  EXPECT_NEAR(s.at(28).energy, 0.51, 0.51 * 0.05);
  EXPECT_NEAR(s.at(28).area, 0.38, 0.38 * 0.05);
  EXPECT_NEAR(s.at(22).energy, 0.31, 0.31 * 0.07);
  EXPECT_NEAR(s.at(22).area, 0.25, 0.25 * 0.05);
  EXPECT_LT(s.at(28).energy, s.at(32).energy);
  EXPECT_GT(s.at(28).energy, s.at(22).energy);  // the orientation bug REFERENCE warns of
}

TEST(NodeScaling, RejectsBadTables) {
  EXPECT_THROW(NodeScaling(std::vector<NodeScaling::Point>{{45, {1, 1, 1}}}), Error);
  EXPECT_THROW(NodeScaling({{45, {1, 1, 1}}, {32, {1.2, 0.5, 0.9}}}), Error);  // energy rises as node shrinks
  EXPECT_THROW(NodeScaling({{45, {1, 1, 1}}, {45, {0.5, 0.5, 0.5}}}), Error);
  EXPECT_THROW(NodeScaling({{45, {1, 1, 1}}, {32, {0, 0.5, 0.5}}}), Error);
  const NodeScaling ok({{45, {1, 1, 1}}, {32, {0.6, 0.5, 0.9}}});
  EXPECT_THROW((void)ok.at(50), Error);
  EXPECT_THROW((void)ok.at(20), Error);
}

TEST(NodeScaling, EveryNodeShrinksEveryUnit) {
  // Property over every tabulated node and widths: smaller node -> cheaper; wider -> dearer.
  const auto base = load_technology("cmos45");
  std::vector<double> nodes;
  for (const auto& p : base.scaling().points()) nodes.push_back(p.node_nm);
  nodes.push_back(28);
  nodes.push_back(22);
  std::sort(nodes.begin(), nodes.end());
  for (int bits = 2; bits <= 16; ++bits) {
    const auto hw = arith::make_multiplier("exact:" + std::to_string(bits) + "s")->hardware();
    const auto wider = arith::make_multiplier("exact:" + std::to_string(std::min(bits + 1, 16)) + "s")->hardware();
    UnitCost previous{};
    for (double node : nodes) {
      const auto tech = load_technology("cmos45", node);
      const UnitCost c = tech.price(hw);
      if (previous.area_um2 > 0) {
        EXPECT_GE(c.area_um2, previous.area_um2) << bits << " bits at " << node;
        EXPECT_GE(c.energy_pJ, previous.energy_pJ) << bits << " bits at " << node;
      }
      previous = c;
      if (bits < 16) {
        EXPECT_GT(tech.price(wider).energy_pJ, c.energy_pJ);
        EXPECT_GT(tech.price(wider).area_um2, c.area_um2);
      }
    }
  }
}

}  // namespace vitdse::cost

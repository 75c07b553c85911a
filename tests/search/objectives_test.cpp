// Objectives, constraints and normalisation.
#include "vitdse/search/objectives.hpp"

#include <gtest/gtest.h>

#include "vitdse/core/error.hpp"

namespace vitdse::search {
namespace {

TEST(Constraint, ParsesBothDirectionsAndMeasuresViolation) {
  const auto c = parse_constraint("top1_drop_pp <= 2");
  EXPECT_EQ(c.metric, Metric::top1_drop_pp);
  EXPECT_TRUE(c.at_most);
  EXPECT_EQ(c.violation(1.5), 0.0);
  EXPECT_DOUBLE_EQ(c.violation(3.0), 0.5);
  const auto a = parse_constraint("area_mm2>=1.5");
  EXPECT_FALSE(a.at_most);
  EXPECT_DOUBLE_EQ(a.violation(0.75), 0.5);
  EXPECT_EQ(parse_constraint(c.text()).bound, 2.0);
  for (const char* bad : {"top1 <= 2", "area_mm2 < 1", "energy_uJ <= x", ""}) {
    EXPECT_THROW((void)parse_constraint(bad), Error) << bad;
  }
}

TEST(Objectives, NormaliseByTheBaseDesignAndTheDropScale) {
  Score base;
  base.top1_pct = 90;
  base.energy_uJ = 40;
  base.area_mm2 = 2;
  const Objectives o({Metric::top1_drop_pp, Metric::energy_uJ, Metric::area_mm2}, {parse_constraint("area_mm2 <= 1.5")},
                     91.0, base, 10.0);
  Score s = base;
  s.top1_pct = 86;
  s.energy_uJ = 10;
  const auto n = o.normalised(s);
  EXPECT_DOUBLE_EQ(n[0], 0.5);  // 5 pp of 10
  EXPECT_DOUBLE_EQ(n[1], 0.25);
  EXPECT_DOUBLE_EQ(n[2], 1.0);
  EXPECT_NEAR(o.violation(s), 1.0 / 3.0, 1e-12);
  EXPECT_THROW(Objectives({Metric::top1_drop_pp, Metric::latency_ms}, {}, 91, base, 10), Error);  // latency 0
}

TEST(Objectives, ParseListsWithAccuracyFirst) {
  EXPECT_EQ(parse_objectives("top1,energy,area").size(), 3u);
  for (const char* bad : {"energy,top1", "top1", "top1,top1", "top1,joules"}) {
    EXPECT_THROW((void)parse_objectives(bad), Error) << bad;
  }
}

}  // namespace
}  // namespace vitdse::search

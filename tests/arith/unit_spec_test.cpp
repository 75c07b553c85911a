// Unit-spec syntax and the exact multiplier family.
#include "vitdse/arith/unit_spec.hpp"

#include <gtest/gtest.h>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

TEST(UnitSpec, ParsesPositionalAndKeys) {
  const auto s = parse_unit_spec("bam:8u:vbl=4:hbl=1");
  EXPECT_EQ(s.family, "bam");
  EXPECT_EQ(s.positional, std::vector<std::string>{"8u"});
  EXPECT_EQ(s.params.at("hbl"), "1");
  EXPECT_EQ(s.canonical(), "bam:8u:hbl=1:vbl=4");  // keys sorted
}

TEST(UnitSpec, RejectsBadSyntax) {
  for (const char* bad :
       {"", ":8s", "exact::8s", "exact:8s:t=", "exact:8s:=3", "exact:8s:t=1:t=2", "trunc:t=4:8u", "exact: 8s"}) {
    EXPECT_THROW(parse_unit_spec(bad), Error) << bad;
  }
}

TEST(UnitSpec, WidthRange) {
  EXPECT_EQ(parse_width("8s", "x", 2, 16).bits, 8);
  EXPECT_TRUE(parse_width("8s", "x", 2, 16).is_signed);
  EXPECT_FALSE(parse_width("4u", "x", 2, 16).is_signed);
  EXPECT_THROW(parse_width("1u", "x", 2, 16), Error);
  EXPECT_THROW(parse_width("17s", "x", 2, 16), Error);
  EXPECT_THROW(parse_width("8", "x", 2, 16), Error);
  EXPECT_THROW(parse_width("8x", "x", 2, 16), Error);
}

TEST(ExactMultiplier, MatchesIntegerProductExhaustively) {
  for (const char* spec : {"exact:4s", "exact:4u", "exact:8s", "exact:8u"}) {
    const auto m = make_multiplier(spec);
    for (auto a = m->min_operand(); a <= m->max_operand(); ++a) {
      for (auto b = m->min_operand(); b <= m->max_operand(); ++b) ASSERT_EQ(m->mul(a, b), a * b) << spec;
    }
  }
}

TEST(ExactMultiplier, OperandRanges) {
  const auto s = make_multiplier("exact:8s");
  EXPECT_EQ(s->min_operand(), -128);
  EXPECT_EQ(s->max_operand(), 127);
  const auto u = make_multiplier("exact:8u");
  EXPECT_EQ(u->min_operand(), 0);
  EXPECT_EQ(u->max_operand(), 255);
}

TEST(ExactMultiplier, ArrayCellAccount) {
  // 8x8 unsigned carry-save array: 64 AND, 8*(8-2) = 48 FA, 8 HA (Weste & Harris 11.9).
  const auto h = make_multiplier("exact:8u")->hardware();
  EXPECT_EQ(h.and2, 64);
  EXPECT_EQ(h.fa, 48);
  EXPECT_EQ(h.ha, 8);
  EXPECT_EQ(make_multiplier("exact:8s")->hardware().fa, 50);  // Baugh-Wooley correction
}

TEST(MultiplierRegistry, ErrorsNameWhatIsAllowed) {
  try {
    make_multiplier("exakt:8s");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'exact'?"), std::string::npos) << e.what();
  }
  try {
    make_multiplier("exact:8s:t=3");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown key 't'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_multiplier("exact"), Error);
  EXPECT_THROW(make_multiplier("exact:8s:4s"), Error);
  EXPECT_THROW(make_multiplier("exact:32s"), Error);
}

}  // namespace vitdse::arith

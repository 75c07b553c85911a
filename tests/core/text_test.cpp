// Tests for the string helpers.
#include "vitdse/core/text.hpp"

#include <gtest/gtest.h>

#include "vitdse/core/error.hpp"

namespace vitdse {

TEST(Text, SplitKeepsEmptyFields) {
  EXPECT_EQ(split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split("", ':'), (std::vector<std::string>{""}));
}

TEST(Text, DidYouMeanFindsOneTypo) {
  EXPECT_EQ(closest_match("embed_dimm", {"depth", "embed_dim", "num_heads"}), "embed_dim");
  EXPECT_EQ(closest_match("zzzzzz", {"depth", "embed_dim"}), "");
}

TEST(Text, StrictNumbers) {
  EXPECT_DOUBLE_EQ(parse_double("0.25", "x"), 0.25);
  EXPECT_EQ(parse_int("-12", "x"), -12);
  EXPECT_THROW(parse_int("12a", "x"), Error);
  EXPECT_THROW(parse_double("", "x"), Error);
  EXPECT_THROW(parse_double("nan", "x"), Error);
}

}  // namespace vitdse

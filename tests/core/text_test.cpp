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

TEST(Text, PrintableKeepsUtf8AndEscapesTheRest) {
  EXPECT_EQ(printable("plain ascii ~"), "plain ascii ~");
  EXPECT_EQ(printable("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82"),
            "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82");
  EXPECT_EQ(printable("a\nb\tc\x7f"), "a\\x0ab\\x09c\\x7f");
  EXPECT_EQ(printable(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");                    // never valid in UTF-8
  EXPECT_EQ(printable("\xc3"), "\\xc3");                             // truncated sequence
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // UTF-16 surrogate
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(printable("\xc2\x85"), "\\xc2\\x85");                    // C1 control NEL
}

TEST(Text, PrintableOutputIsAlwaysOneLineOfValidUtf8) {
  // Property over every byte pair: no control byte and nothing that is not UTF-8 survives.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string in{static_cast<char>(a), static_cast<char>(b)};
      const std::string out = printable(in);
      for (const char c : out) {
        const auto u = static_cast<unsigned char>(c);
        ASSERT_FALSE(u < 0x20 || u == 0x7f) << a << "," << b;
      }
      ASSERT_EQ(printable(out), out) << a << "," << b;  // escaped text is printable as it is
    }
  }
}

TEST(Text, PrintableCutsAtACharacterBoundary) {
  EXPECT_EQ(printable("abcdef", 3), "abc...");
  EXPECT_EQ(printable("ab\xc3\xa9", 3), "ab...");  // never half of 'é'
  EXPECT_EQ(printable("abc", 3), "abc");
}

TEST(Text, QuotedShortensLongValues) {
  EXPECT_EQ(quoted_value("wbits"), "'wbits'");
  const std::string quoted_long = quoted_value(std::string(1000, 'a'));
  EXPECT_EQ(quoted_long, "'" + std::string(80, 'a') + "...' (1000 bytes)");
  EXPECT_EQ(quoted_value("\x01", 80), "'\\x01'");
}

TEST(Text, NumberErrorsQuoteTheValuePrintably) {
  try {
    (void)parse_int("1\n2\xff" + std::string(500, '9'), "bits");
    FAIL() << "parse_int accepted garbage";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bits: '1\\x0a2\\xff9"), std::string::npos) << message;
    EXPECT_NE(message.find("(504 bytes) is not an integer"), std::string::npos) << message;
    EXPECT_LT(message.size(), 150U);
  }
}

}  // namespace vitdse

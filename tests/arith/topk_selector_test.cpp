// The dynamic FFN2 selector's cell account: its size follows the code width and the hidden width.
#include "vitdse/arith/topk_selector.hpp"

#include <gtest/gtest.h>

#include "arith/quantiser_test_util.hpp"

namespace vitdse::arith {

TEST(TopkSelector, HistogramOfTheMagnitudesSizedByBitsAndHiddenUnits) {
  // 8-bit codes: 7-bit magnitudes, 128 bins; 256 hidden units need 9-bit counts (0..256).
  const auto s = topk_selector_hardware(8, 256);
  EXPECT_EQ(s.element.and2, 128);                                  // the bin decoder
  EXPECT_EQ(s.element.xor2, 7);                                    // |x|
  EXPECT_EQ(s.element.ha, 7 + 9);                                  // |x|'s increment and the bin's
  EXPECT_EQ(s.element.fa, 7);                                      // |x| >= threshold
  EXPECT_EQ(s.row.dff, 128 * 9 + 9);                               // the bins and the running sum
  EXPECT_EQ(s.row.cycles, 128);                                    // one bin per cycle
  EXPECT_EQ(topk_selector_hardware(8, 255).row.dff, 128 * 8 + 8);  // 0..255 fits 8 bits
  // Narrower codes: fewer bins; more hidden units: wider counts.
  EXPECT_LT(topk_selector_hardware(4, 256).row.dff, s.row.dff);
  EXPECT_GT(topk_selector_hardware(8, 3072).row.dff, s.row.dff);
}

TEST(TopkSelector, RejectsWidthsItCannotBuild) {
  test::expect_error([] { (void)topk_selector_hardware(1, 256); }, "1 bits is out of range");
  test::expect_error([] { (void)topk_selector_hardware(8, 0); }, "need at least 1");
}

}  // namespace vitdse::arith

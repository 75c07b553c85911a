// Index sampling: distinct, in range, reproducible, nested prefixes, and uniform.
#include "vitdse/eval/sampling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "eval/dataset_files.hpp"

namespace vitdse::eval {

TEST(SampleIndices, DistinctInRangeAndReproducible) {
  const auto a = sample_indices(1000, 300, 42);
  ASSERT_EQ(a.size(), 300U);
  EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 300U);
  EXPECT_LT(*std::max_element(a.begin(), a.end()), 1000U);
  EXPECT_EQ(sample_indices(1000, 300, 42), a);
  EXPECT_NE(sample_indices(1000, 300, 43), a);
}

TEST(SampleIndices, SmallerCountsArePrefixes) {
  const auto big = sample_indices(500, 200, 9);
  for (std::size_t count : {0U, 1U, 17U, 199U}) {
    const auto small = sample_indices(500, count, 9);
    EXPECT_TRUE(std::equal(small.begin(), small.end(), big.begin())) << count;
  }
}

TEST(SampleIndices, FullCountIsAPermutation) {
  auto all = sample_indices(64, 64, 1);
  std::vector<std::size_t> identity(64);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  EXPECT_NE(all, identity);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, identity);
}

TEST(SampleIndices, PinnedSequence) {
  // Fixed by std::mt19937_64 (standardised) and the rejection step, so the same on every platform.
  EXPECT_EQ(sample_indices(10, 4, 1), (std::vector<std::size_t>{8, 7, 4, 0}));
}

TEST(SampleIndices, FirstPickIsUniform) {
  // 6000 seeds over 6 indices: each count is 1000 +- about 3 standard deviations (29 each).
  std::vector<int> counts(6);
  for (std::uint64_t seed = 0; seed < 6000; ++seed) ++counts[sample_indices(6, 1, seed)[0]];
  for (int c : counts) {
    EXPECT_GT(c, 900);
    EXPECT_LT(c, 1100);
  }
}

TEST(SampleIndices, TooManyIsAnError) {
  test::expect_error([] { (void)sample_indices(5, 6, 0); }, "6 images", "split of 5");
}

}  // namespace vitdse::eval

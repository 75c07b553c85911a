// The Pareto archive and hypervolume against brute force.
#include "vitdse/search/pareto_archive.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "vitdse/core/random.hpp"

namespace vitdse::search {
namespace {

/// 2-D hypervolume by sweeping the points sorted by the first objective (independent of pagmo).
double sweep_hv_2d(std::vector<std::vector<double>> pts, const std::vector<double>& ref) {
  std::erase_if(pts, [&](const auto& p) { return p[0] >= ref[0] || p[1] >= ref[1]; });
  std::sort(pts.begin(), pts.end());
  double hv = 0, best_y = ref[1];
  for (const auto& p : pts) {
    if (p[1] < best_y) {
      hv += (ref[0] - p[0]) * (best_y - p[1]);
      best_y = p[1];
    }
  }
  return hv;
}

/// 3-D hypervolume by counting cells of a fine grid (points on the grid, so it is exact).
double grid_hv_3d(const std::vector<std::vector<double>>& pts, int cells) {
  double count = 0;
  for (int i = 0; i < cells; ++i) {
    for (int j = 0; j < cells; ++j) {
      for (int k = 0; k < cells; ++k) {
        const double x = (i + 0.5) / cells, y = (j + 0.5) / cells, z = (k + 0.5) / cells;
        const bool covered =
            std::any_of(pts.begin(), pts.end(), [&](const auto& p) { return p[0] <= x && p[1] <= y && p[2] <= z; });
        count += covered ? 1 : 0;
      }
    }
  }
  return count / (static_cast<double>(cells) * cells * cells);
}

TEST(Dominance, IsStrictInOneObjective) {
  EXPECT_TRUE(dominates({0.1, 0.2}, {0.1, 0.3}));
  EXPECT_FALSE(dominates({0.1, 0.2}, {0.1, 0.2}));
  EXPECT_FALSE(dominates({0.1, 0.4}, {0.2, 0.3}));
}

TEST(Hypervolume, MatchesASweepIn2DAndAGridIn3D) {
  Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::vector<double>> pts;
    for (int i = 0; i < 12; ++i) pts.push_back({rng.uniform() * 1.2, rng.uniform() * 1.2});
    EXPECT_NEAR(hypervolume(pts, {1.0, 1.0}), sweep_hv_2d(pts, {1.0, 1.0}), 1e-12);
  }
  std::vector<std::vector<double>> pts;
  for (int i = 0; i < 8; ++i) {
    pts.push_back({static_cast<double>(rng.below(10)) / 10, static_cast<double>(rng.below(10)) / 10,
                   static_cast<double>(rng.below(10)) / 10});
  }
  EXPECT_NEAR(hypervolume(pts, {1.0, 1.0, 1.0}), grid_hv_3d(pts, 40), 1e-12);
  EXPECT_EQ(hypervolume({}, {1.0, 1.0}), 0.0);
  EXPECT_EQ(hypervolume({{1.5, 0.1}}, {1.0, 1.0}), 0.0);  // outside the box
}

TEST(ParetoArchive, KeepsExactlyTheNonDominatedPoints) {
  Rng rng(3);
  ParetoArchive archive(2);
  std::vector<std::vector<double>> all;
  double previous_hv = 0;
  for (std::size_t i = 0; i < 200; ++i) {
    const std::vector<double> p{rng.uniform(), rng.uniform()};
    all.push_back(p);
    archive.add(i, p);
    EXPECT_GE(archive.hypervolume(), previous_hv);  // never decreases
    previous_hv = archive.hypervolume();
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    const bool dominated = std::any_of(all.begin(), all.end(), [&](const auto& q) { return dominates(q, all[i]); });
    const bool kept = std::find(archive.ids().begin(), archive.ids().end(), i) != archive.ids().end();
    EXPECT_EQ(kept, !dominated) << i;
  }
  EXPECT_NEAR(archive.hypervolume(), sweep_hv_2d(all, {1.0, 1.0}), 1e-12);
}

TEST(ParetoArchive, EqualPointsAreKeptOnceAndDistanceIsTheAdditiveEpsilon) {
  ParetoArchive archive(2);
  EXPECT_EQ(archive.distance({0.5, 0.5}), 0.0);
  EXPECT_TRUE(archive.add(0, {0.2, 0.6}));
  EXPECT_FALSE(archive.add(1, {0.2, 0.6}));
  EXPECT_TRUE(archive.add(2, {0.6, 0.2}));
  EXPECT_EQ(archive.size(), 2u);
  // (0.7, 0.7) must improve by 0.1 in both to escape (0.6, 0.2)'s and (0.2, 0.6)'s domination.
  EXPECT_NEAR(archive.distance({0.7, 0.7}), 0.1, 1e-12);
  EXPECT_EQ(archive.distance({0.1, 0.9}), 0.0);
  EXPECT_NEAR(archive.hypervolume_with({0.1, 0.1}), 0.81, 1e-12);
  EXPECT_NEAR(archive.hypervolume(), 0.8 * 0.4 + 0.4 * 0.4, 1e-12);
}

}  // namespace
}  // namespace vitdse::search

// Handing out a batch: every design once, to whoever asks, preferring a shared prefix.
#include "cluster/work_router.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <set>

#include "vitdse/core/error.hpp"

namespace vitdse::cluster {
namespace {

using Keys = std::vector<std::string>;

TEST(WorkRouter, HandsOutEveryDesignOnceWhoeverAsks) {
  for (const bool by_prefix : {false, true}) {
    WorkRouter router(3, by_prefix);
    router.begin({{"a", "x"}, {"b", "y"}, {"a", "y"}, {"c", "z"}, {"a", "x"}});
    std::set<std::size_t> given;
    for (int ask = 0; ask < 8; ++ask) {
      if (const auto i = router.next(ask % 3)) {
        EXPECT_TRUE(given.insert(*i).second) << *i << " given twice";
      }
    }
    EXPECT_EQ(given, (std::set<std::size_t>{0, 1, 2, 3, 4}));
    EXPECT_FALSE(router.next(0).has_value());
  }
}

TEST(WorkRouter, WithoutPrefixRoutingDesignsGoInOrder) {
  WorkRouter router(2, false);
  router.begin({{"a"}, {"b"}, {"a"}});
  EXPECT_EQ(router.next(1), 0u);
  EXPECT_EQ(router.next(1), 1u);
  EXPECT_EQ(router.next(0), 2u);
}

TEST(WorkRouter, ARankGetsTheDesignSharingTheLongestPrefixWithItsLastOne) {
  WorkRouter router(2, true);
  router.begin({{"a", "x", "p"}, {"b", "x", "p"}});
  EXPECT_EQ(router.next(0), 0u);  // nothing scored yet: the first
  EXPECT_EQ(router.next(1), 1u);
  // The next batch: rank 1 last scored b-x-p, rank 0 a-x-p; each takes its match, not the first.
  router.begin({{"a", "y", "q"}, {"b", "x", "q"}, {"c", "x", "p"}});
  EXPECT_EQ(router.next(1), 1u);  // shares b, x
  EXPECT_EQ(router.next(0), 0u);  // shares a
  EXPECT_EQ(router.next(0), 2u);  // the rest
}

TEST(WorkRouter, EqualMatchesGoToTheLowestIndex) {
  WorkRouter router(1, true);
  router.begin({{"a"}});
  (void)router.next(0);
  router.begin({{"b", "1"}, {"a", "1"}, {"a", "2"}});
  EXPECT_EQ(router.next(0), 1u);
  EXPECT_EQ(router.next(0), 2u);
  EXPECT_EQ(router.next(0), 0u);
}

TEST(WorkRouter, TheEnvironmentSwitchIsZeroOrOne) {
  ::unsetenv("VITDSE_ROUTE_BY_PREFIX");
  EXPECT_TRUE(route_by_prefix_from_environment());
  ::setenv("VITDSE_ROUTE_BY_PREFIX", "0", 1);
  EXPECT_FALSE(route_by_prefix_from_environment());
  ::setenv("VITDSE_ROUTE_BY_PREFIX", "yes", 1);
  EXPECT_THROW((void)route_by_prefix_from_environment(), Error);
  ::unsetenv("VITDSE_ROUTE_BY_PREFIX");
}

}  // namespace
}  // namespace vitdse::cluster

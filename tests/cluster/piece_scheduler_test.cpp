// Splitting a batch into pieces: every part once, owners from the front, helpers from the back
// only where that pays for a datapath, and pieces that shrink as the batch ends.
#include "cluster/piece_scheduler.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace vitdse::cluster {
namespace {

using Keys = std::vector<std::string>;

std::vector<Keys> distinct_designs(int n) {
  std::vector<Keys> keys;
  for (int i = 0; i < n; ++i)
    keys.push_back({std::string(1, static_cast<char>('a' + i))});  // "d" + to_string trips GCC 12's -Wrestrict
  return keys;
}

TEST(PieceScheduler, HandsOutEveryPartOfEveryDesignOnceWhoeverAsks) {
  std::mt19937 rng(5);
  for (const int parts : {1, 7, 50}) {
    for (const int ranks : {1, 2, 3, 8}) {
      PieceScheduler scheduler(ranks, true);
      scheduler.begin(distinct_designs(5), parts);
      std::map<std::size_t, std::vector<int>> count;  // per design, how often each part came
      std::vector<char> idle(static_cast<std::size_t>(ranks), 0);
      for (int asks = 0; asks < 10000; ++asks) {
        const int rank = static_cast<int>(rng() % static_cast<unsigned>(ranks));
        if (idle[static_cast<std::size_t>(rank)] != 0) continue;
        const auto piece = scheduler.next(rank);
        if (!piece) {
          idle[static_cast<std::size_t>(rank)] = 1;
          continue;
        }
        ASSERT_LT(piece->first, piece->last);
        count[piece->index].resize(static_cast<std::size_t>(parts));
        for (int p = piece->first; p < piece->last; ++p) ++count[piece->index][static_cast<std::size_t>(p)];
        scheduler.finished(piece->last - piece->first, 0.1 * (piece->last - piece->first), 0);
      }
      ASSERT_EQ(count.size(), 5u) << parts << " parts, " << ranks << " ranks";
      for (const auto& [design, times] : count) {
        for (const int t : times) EXPECT_EQ(t, 1) << "design " << design << ", " << parts << " parts";
      }
    }
  }
}

TEST(PieceScheduler, AScoreThatCannotBeSplitGoesWholeOnce) {
  PieceScheduler scheduler(2, false);
  scheduler.begin(distinct_designs(3), 0);
  EXPECT_EQ(scheduler.next(1), (Piece{0, 0, 0}));
  EXPECT_EQ(scheduler.next(0), (Piece{1, 0, 0}));
  EXPECT_EQ(scheduler.next(1), (Piece{2, 0, 0}));
  EXPECT_FALSE(scheduler.next(0).has_value());
}

TEST(PieceScheduler, OwnersTakeFromTheFrontInShrinkingSlicesAndHelpersFromTheBack) {
  PieceScheduler scheduler(2, false);
  scheduler.begin(distinct_designs(2), 40);  // 80 parts: slices of a quarter of what is left
  EXPECT_EQ(scheduler.next(0), (Piece{0, 0, 20}));
  EXPECT_EQ(scheduler.next(1), (Piece{1, 0, 15}));
  EXPECT_EQ(scheduler.next(0), (Piece{0, 20, 32}));  // its own design first
  EXPECT_EQ(scheduler.next(0), (Piece{0, 32, 40}));  // the rest of it
  EXPECT_EQ(scheduler.next(1), (Piece{1, 15, 22}));
  // Nothing left to start: rank 0 helps with design 1 from the back, half of what remains (no
  // build cost measured yet).
  EXPECT_EQ(scheduler.next(0), (Piece{1, 31, 40}));
  EXPECT_EQ(scheduler.next(1), (Piece{1, 22, 25}));
  EXPECT_EQ(scheduler.next(0), (Piece{1, 28, 31}));  // its latest design again, from the back
}

TEST(PieceScheduler, AHelperBuildsANewDatapathOnlyWhereThatPays) {
  for (const double setup : {0.0, 1.0}) {
    PieceScheduler scheduler(3, false);
    scheduler.finished(10, 1.0 + setup, setup);  // 0.1 s a part; a build takes 10 parts' time
    scheduler.begin(distinct_designs(2), 12);
    EXPECT_EQ(scheduler.next(0), (Piece{0, 0, 4}));
    EXPECT_EQ(scheduler.next(1), (Piece{1, 0, 4}));
    EXPECT_EQ(scheduler.next(0), (Piece{0, 4, 7}));
    EXPECT_EQ(scheduler.next(1), (Piece{1, 4, 7}));
    // Rank 2 has built neither, and 5 parts of each remain. Free builds: it takes 2 from the
    // back of the first; builds as long as 10 parts: nothing pays.
    const auto help = scheduler.next(2);
    if (setup == 0) {
      EXPECT_EQ(help, (Piece{0, 10, 12}));
    } else {
      EXPECT_FALSE(help.has_value());
    }
  }
}

}  // namespace
}  // namespace vitdse::cluster

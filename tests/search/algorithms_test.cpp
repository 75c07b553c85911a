// The search algorithms and the hypervolume reward on a synthetic problem whose front is known
// by brute force (tests/search/synthetic_problem.hpp), apart from any model or cost table.
#include "vitdse/search/algorithms.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "synthetic_problem.hpp"
#include "vitdse/search/parallel_evaluator.hpp"

namespace vitdse::search {
namespace {

using test::kSyntheticPoints;
using test::SyntheticProblem;

double true_hv() {
  static const double hv = test::synthetic_problem().true_front().hypervolume();
  return hv;
}

/// A whole run of `algorithm` on the synthetic problem.
struct Outcome {
  double hv = 0;
  std::vector<std::vector<double>> front;
  std::vector<double> trace;
  std::int64_t evaluations = 0;
};

Outcome run(Algorithm algorithm, std::int64_t budget, std::uint64_t seed) {
  ParallelEvaluator evaluator(test::synthetic_problem().scoring);
  SearchRun r(test::synthetic_problem().space, test::synthetic_problem().scoring, evaluator, {}, budget);
  AlgorithmOptions o;
  o.seed = seed;
  r.begin();
  run_algorithm(algorithm, r, o);
  return {r.archive().hypervolume(), r.archive().points(), r.hv_trace(),
          static_cast<std::int64_t>(r.evaluations().size())};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

TEST(SyntheticProblem, HasTheSizeAndANonTrivialFront) {
  EXPECT_EQ(test::synthetic_problem().all_points().size(), kSyntheticPoints);
  const auto front = test::synthetic_problem().true_front();
  EXPECT_GT(front.size(), 10u);  // a trade-off, not one best point
  EXPECT_GT(true_hv(), 0.1);
  EXPECT_LT(true_hv(), 1.0);
}

// With the whole space as its budget, random search enumerates it: its archive is the front.
TEST(SearchAlgorithms, RandomGivenTheWholeSpaceFindsExactlyTheBruteForceFront) {
  const auto outcome = run(Algorithm::random, static_cast<std::int64_t>(kSyntheticPoints), 1);
  EXPECT_EQ(outcome.evaluations, static_cast<std::int64_t>(kSyntheticPoints));
  EXPECT_DOUBLE_EQ(outcome.hv, true_hv());
  auto found = outcome.front, expected = test::synthetic_problem().true_front().points();
  std::sort(found.begin(), found.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected);
}

// Every algorithm, on a budget of 7% of the space: distinct points only, a hypervolume trace that
// never falls, no point beyond the true front, and most of the true front's hypervolume.
TEST(SearchAlgorithms, EachReachesMostOfTheKnownFrontOnASmallBudget) {
  const auto truth = test::synthetic_problem().true_front().points();
  for (const auto algorithm :
       {Algorithm::mcts, Algorithm::random, Algorithm::nsga2, Algorithm::greedy, Algorithm::moead}) {
    const auto outcome = run(algorithm, 120, 3);
    SCOPED_TRACE(to_string(algorithm));
    EXPECT_LE(outcome.evaluations, 120);
    EXPECT_TRUE(std::is_sorted(outcome.trace.begin(), outcome.trace.end()));
    EXPECT_LE(outcome.hv, true_hv() + 1e-12);
    for (const auto& p : outcome.front) {
      EXPECT_FALSE(std::any_of(truth.begin(), truth.end(), [&](const auto& t) { return dominates(p, t); }));
    }
    EXPECT_GT(outcome.hv, 0.8 * true_hv());
  }
}

// The claim the search is built on, on a problem where it can be checked: over five seeds, MCTS's
// median hypervolume beats random search's at 2%, 5% and 7% of the space. (NSGA-II ties MCTS here,
// ahead at some budgets and behind at others, so no claim is made about it.)
TEST(SearchAlgorithms, MctsBeatsRandomOnTheMedianSeedAtEveryBudget) {
  for (const std::int64_t budget : {40, 80, 120}) {
    std::map<Algorithm, std::vector<double>> hv;
    for (const auto algorithm : {Algorithm::mcts, Algorithm::random}) {
      for (std::uint64_t seed = 1; seed <= 5; ++seed) hv[algorithm].push_back(run(algorithm, budget, seed).hv);
    }
    EXPECT_GT(median(hv[Algorithm::mcts]), median(hv[Algorithm::random])) << "budget " << budget;
  }
}

// Not a check: prints docs/search.md's table (median share of the true front's hypervolume over
// nine seeds) when run with --gtest_also_run_disabled_tests.
TEST(SearchAlgorithms, DISABLED_MedianShareOfTheTrueFront) {
  std::printf("| budget | MCTS | random | NSGA-II | greedy | MOEA/D |\n|---|---|---|---|---|---|\n");
  for (const std::int64_t budget : {40, 80, 120, 200}) {
    std::printf("| %lld |", static_cast<long long>(budget));
    for (const auto algorithm :
         {Algorithm::mcts, Algorithm::random, Algorithm::nsga2, Algorithm::greedy, Algorithm::moead}) {
      std::vector<double> share;
      for (std::uint64_t seed = 1; seed <= 9; ++seed) share.push_back(run(algorithm, budget, seed).hv / true_hv());
      std::printf(" %.3f |", median(share));
    }
    std::printf("\n");
  }
}

TEST(SearchAlgorithms, TheSameSeedGivesTheSameRun) {
  for (const auto algorithm :
       {Algorithm::mcts, Algorithm::random, Algorithm::nsga2, Algorithm::greedy, Algorithm::moead}) {
    EXPECT_EQ(run(algorithm, 40, 9).trace, run(algorithm, 40, 9).trace) << to_string(algorithm);
  }
}

// The MO-MCTS reward (Wang and Sebag 2012) by its definition, against the archive it is read on:
// a front point earns the archive's hypervolume with it; a dominated point earns that less the
// least uniform improvement that would make it non-dominated.
TEST(SearchRunReward, IsTheHypervolumeLessTheDistanceToTheFront) {
  ParallelEvaluator evaluator(test::synthetic_problem().scoring);
  SearchRun r(test::synthetic_problem().space, test::synthetic_problem().scoring, evaluator, {}, 200);
  r.begin();
  const auto all = test::synthetic_problem().all_points();
  (void)r.evaluate(std::vector<Point>(all.begin(), all.begin() + 150));
  const auto& archive = r.archive();
  bool saw_front = false, saw_dominated = false;
  for (std::size_t i = 0; i < r.evaluations().size(); ++i) {
    const auto& e = r.evaluations()[i];
    const double distance = archive.distance(e.objectives);
    double outside = 0;
    for (std::size_t m = 0; m < e.objectives.size(); ++m) outside = std::max(outside, e.objectives[m] - 1.0);
    if (distance == 0 && outside == 0) {
      saw_front = true;
      EXPECT_NEAR(r.reward(i), archive.hypervolume_with(e.objectives), 1e-12);
      EXPECT_GE(r.reward(i), archive.hypervolume() - 1e-12);
    } else {
      saw_dominated = saw_dominated || distance > 0;
      EXPECT_NEAR(r.reward(i), archive.hypervolume() - std::max(distance, outside), 1e-12);
      EXPECT_LT(r.reward(i), archive.hypervolume());
    }
  }
  EXPECT_TRUE(saw_front);
  EXPECT_TRUE(saw_dominated);
}

}  // namespace
}  // namespace vitdse::search

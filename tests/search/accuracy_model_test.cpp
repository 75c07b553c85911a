// The additive accuracy model against functions whose terms are known, and the front refiner's
// proposals against a brute-force reading of the same predictions.
#include "vitdse/search/accuracy_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "synthetic_problem.hpp"
#include "vitdse/core/random.hpp"
#include "vitdse/search/front_refiner.hpp"
#include "vitdse/search/parallel_evaluator.hpp"

namespace vitdse::search {
namespace {

/// A known additive top-1: 90 % less a drop per variable and non-reference choice.
double additive_top1(const Point& p) {
  double top1 = 90;
  for (std::size_t v = 0; v < p.size(); ++v) top1 -= 0.4 * static_cast<double>(v + 1) * p[v] * p[v];
  return top1;
}

std::vector<Evaluation> scored(const std::vector<Point>& points, double (*top1)(const Point&)) {
  std::vector<Evaluation> out;
  for (const auto& p : points) {
    Evaluation e;
    e.point = p;
    e.score.top1_pct = top1(p);
    out.push_back(std::move(e));
  }
  return out;
}

TEST(AccuracyModel, RecoversTheTermsOfAnAdditiveFunction) {
  const auto all = test::synthetic_problem().all_points();
  AccuracyModel model(test::synthetic_problem().space, 100, 1e-9);
  model.fit(scored(all, additive_top1));
  const auto& vars = test::synthetic_problem().space.variables();
  for (std::size_t v = 0; v < vars.size(); ++v) {
    for (int c = 0; c < static_cast<int>(vars[v].choices.size()); ++c) {
      EXPECT_NEAR(model.term(v, c), -0.4 * static_cast<double>(v + 1) * c * c, 1e-6) << v << " " << c;
    }
  }
  Rng rng(3);
  for (int i = 0; i < 20; ++i) {
    const Point& p = all[rng.below(all.size())];
    EXPECT_NEAR(model.predict(p), additive_top1(p), 1e-6);
  }
}

// From a small sample, refitted as points arrive (warm starts), the fit is the same as one made
// at once; a choice never scored keeps a term of 0, so it is predicted to cost nothing.
TEST(AccuracyModel, RefitsIncrementallyAndIsOptimisticAboutUnseenChoices) {
  const auto all = test::synthetic_problem().all_points();
  std::vector<Point> sample{all.front()};
  Rng rng(5);
  for (int i = 0; i < 40; ++i) {
    Point p = all[rng.below(all.size())];
    p[0] = std::min(p[0], 1);  // variable 0's last choice is never seen
    sample.push_back(p);
  }
  AccuracyModel once(test::synthetic_problem().space, 100, 0.5), stepwise(test::synthetic_problem().space, 100, 0.5);
  once.fit(scored(sample, additive_top1));
  for (std::size_t n = 1; n <= sample.size(); n += 7) {
    stepwise.fit(scored({sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(n)}, additive_top1));
  }
  stepwise.fit(scored(sample, additive_top1));
  const auto& vars = test::synthetic_problem().space.variables();
  for (std::size_t v = 0; v < vars.size(); ++v) {
    for (int c = 0; c < static_cast<int>(vars[v].choices.size()); ++c)
      EXPECT_NEAR(once.term(v, c), stepwise.term(v, c), 1e-6);
  }
  EXPECT_EQ(once.term(0, 2), 0.0);
  // predict_from is the measurement plus the terms that change, whatever the intercept.
  const Point& from = sample[3];
  Point to = from;
  to[1] = (to[1] + 1) % 3;
  EXPECT_NEAR(once.predict_from(from, 50.0, to), 50.0 + once.term(1, to[1]) - once.term(1, from[1]), 1e-12);
}

// Accuracies far below the reference's are clipped to the floor, so one broken design does not
// drag the terms of the choices it shares with good ones.
TEST(AccuracyModel, ClipsAccuraciesBelowTheFloor) {
  const auto all = test::synthetic_problem().all_points();
  AccuracyModel model(test::synthetic_problem().space, 5, 1e-9);
  model.fit(scored(all, [](const Point& p) { return p[0] == 2 ? 10.0 : 90.0; }));
  EXPECT_NEAR(model.term(0, 2), -5.0, 1e-6);
  EXPECT_NEAR(model.term(1, 1), 0.0, 1e-6);
}

// The refiner's first proposal is the unscored neighbour of an archive member that the model's
// prediction says adds the most hypervolume, found here by brute force over every point; later
// proposals are distinct, unscored, and each one variable from some member.
TEST(FrontRefiner, ProposesTheNeighbourPredictedToAddTheMostHypervolume) {
  ParallelEvaluator evaluator(test::synthetic_problem().scoring);
  SearchRun run(test::synthetic_problem().space, test::synthetic_problem().scoring, evaluator, {}, 1000);
  run.begin();
  const auto all = test::synthetic_problem().all_points();
  Rng rng(11);
  std::vector<Point> sample;
  for (int i = 0; i < 30; ++i) sample.push_back(all[rng.below(all.size())]);
  (void)run.evaluate(sample);
  AccuracyModel model(test::synthetic_problem().space, run.objectives().drop_scale_pp());
  model.fit(run.evaluations());
  FrontRefiner refiner(run);
  const auto proposals = refiner.propose(model, 4, {});
  ASSERT_EQ(proposals.size(), 4u);

  auto one_away = [](const Point& a, const Point& b) {
    int differ = 0;
    for (std::size_t v = 0; v < a.size(); ++v) differ += a[v] != b[v];
    return differ == 1;
  };
  double best_gain = -std::numeric_limits<double>::infinity();
  Point best;
  for (const auto& p : all) {
    if (run.find(p)) continue;
    for (const std::size_t id : run.archive().ids()) {
      const auto& member = run.evaluations()[id];
      if (!one_away(member.point, p)) continue;
      Score s = test::synthetic_problem().scoring.cost_score(test::synthetic_problem().space.design(p));
      s.top1_pct = model.predict_from(member.point, member.score.top1_pct, p);
      const double gain = run.archive().hypervolume_with(run.objectives().normalised(s)) - run.archive().hypervolume();
      if (gain > best_gain) best_gain = gain, best = p;
    }
  }
  ASSERT_GT(best_gain, 0);
  EXPECT_EQ(proposals.front(), best);
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    EXPECT_FALSE(run.find(proposals[i]));
    for (std::size_t j = 0; j < i; ++j) EXPECT_NE(proposals[i], proposals[j]);
    bool near_member = false;
    for (const std::size_t id : run.archive().ids())
      near_member = near_member || one_away(run.evaluations()[id].point, proposals[i]);
    EXPECT_TRUE(near_member);
  }
  // Points passed as taken are not proposed again.
  const auto again = refiner.propose(model, 4, {proposals.front()});
  EXPECT_EQ(std::find(again.begin(), again.end(), proposals.front()), again.end());
}

}  // namespace
}  // namespace vitdse::search

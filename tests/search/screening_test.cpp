// Multi-fidelity scoring: Wilson's interval against published values, and screened runs of every
// algorithm on the synthetic problem, whose every point's full score is known.
#include "vitdse/search/screening.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "synthetic_problem.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/search/algorithms.hpp"
#include "vitdse/search/parallel_evaluator.hpp"
#include "vitdse/search/search_run.hpp"

namespace vitdse::search {
namespace {

// Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
// Medicine 17:857-872, Table II, method 3 (the score interval), to the 4 decimals printed there.
TEST(Screening, WilsonUpperEndMatchesNewcombesTable) {
  EXPECT_NEAR(wilson_upper(81, 263, 0.95), 0.3662, 5e-5);
  EXPECT_NEAR(wilson_upper(15, 148, 0.95), 0.1605, 5e-5);
  EXPECT_NEAR(wilson_upper(0, 20, 0.95), 0.1611, 5e-5);
  EXPECT_NEAR(wilson_upper(1, 29, 0.95), 0.1718, 5e-5);
  EXPECT_DOUBLE_EQ(wilson_upper(29, 29, 0.95), 1.0);
  EXPECT_LT(wilson_upper(81, 263, 0.90), wilson_upper(81, 263, 0.95));  // less confidence, a tighter bound
  EXPECT_THROW((void)wilson_upper(1, 2, 1.0), Error);
}

TEST(Screening, OptimisticTop1CountsTheScreenedImagesAsTheyScored) {
  // 40 of the first 50 correct; the other 150 of 200 at the interval's upper end.
  EXPECT_NEAR(optimistic_top1_pct(80, 50, 200, 0.95), 100 * (40 + 150 * wilson_upper(40, 50, 0.95)) / 200, 1e-9);
  EXPECT_GT(optimistic_top1_pct(80, 50, 200, 0.95), 80);
  EXPECT_LT(optimistic_top1_pct(80, 50, 200, 0.95), 100 * (40 + 150) / 200.0);  // not every image right
  EXPECT_DOUBLE_EQ(optimistic_top1_pct(80, 200, 200, 0.95), 80);                // nothing left to guess
  EXPECT_LT(optimistic_top1_pct(70, 50, 200, 0.95), optimistic_top1_pct(80, 50, 200, 0.95));
}

constexpr std::size_t kScreenImages = 250;

/// The synthetic problem's score as a screen on 250 of its 1000 images sees it, its top-1 from
/// `top1(full top-1, candidate hash)`.
class ScreenScoring final : public Scoring {
 public:
  using Top1 = double (*)(double, const std::string&);
  ScreenScoring(const test::SyntheticScoring& full, Top1 top1)
      : Scoring(full.workload(), std::string(64, 't')), full_(full), top1_(top1) {}
  [[nodiscard]] Score score(const model::Design& design) const override {
    Score s = full_.score(design);
    s.top1_pct = top1_(s.top1_pct, candidate(design).hash);
    return s;
  }
  [[nodiscard]] Score cost_score(const model::Design& design) const override { return full_.cost_score(design); }
  [[nodiscard]] double float_top1_pct() const override { return full_.float_top1_pct(); }
  [[nodiscard]] std::size_t images() const override { return kScreenImages; }

 private:
  const test::SyntheticScoring& full_;
  Top1 top1_;
};

/// Top-1 in whole images of 250, one or two images off for some designs, as a sample is.
double sampled_top1(double full, const std::string& hash) {
  const double step = 100.0 / kScreenImages;
  const auto noise = static_cast<double>(hash.back() % 5) - 2;  // -2..2 images
  return std::clamp((std::round(full / step) + noise) * step, 0.0, 100.0);
}

/// Every design looks hopeless.
double hopeless_top1(double, const std::string&) { return 0; }

struct ScreenedRun {
  const test::SyntheticProblem& problem = test::synthetic_problem();
  ScreenScoring screen_scoring{problem.scoring, sampled_top1};
  ParallelEvaluator evaluator{problem.scoring};
  ParallelEvaluator screen_evaluator{screen_scoring};
  SearchRun run;

  explicit ScreenedRun(std::int64_t budget) : run(problem.space, problem.scoring, evaluator, {}, budget) {
    run.screen_with({screen_evaluator, screen_scoring});
  }
  [[nodiscard]] Score full_score(const Evaluation& e) const { return problem.scoring.score(e.candidate.design); }
};

class ScreenedSearch : public ::testing::TestWithParam<Algorithm> {};

TEST_P(ScreenedSearch, SpendsTheBudgetOnFullScoresAndScreensOutOnlyPointsThatCouldNotAddHypervolume) {
  constexpr std::int64_t kBudget = 60;
  ScreenedRun s(kBudget);
  s.run.begin();
  AlgorithmOptions options;
  options.seed = 3;
  run_algorithm(GetParam(), s.run, options);

  const auto& evaluations = s.run.evaluations();
  EXPECT_EQ(s.run.full_evaluations(), kBudget);
  std::int64_t screened = 0, images = 0;
  for (const auto& e : evaluations) {
    screened += e.screened ? 1 : 0;
    images += static_cast<std::int64_t>(e.images);
    EXPECT_EQ(e.images, e.screened ? kScreenImages : 1000u);
    EXPECT_FALSE(e.screened && e.entered_archive);
    if (!e.screened) {
      EXPECT_EQ(e.score.top1_pct, s.full_score(e).top1_pct);
    }
  }
  EXPECT_GT(screened, 0) << "the synthetic problem has points far off the front";
  EXPECT_EQ(s.run.images_scored(), images);
  EXPECT_EQ(s.run.full_trace().back(), kBudget);
  EXPECT_EQ(s.run.images_trace().back(), images);
  // Each screened-out point, scored in full, adds nothing to the final archive: its top-1 lay
  // within the interval, and the archive only gains.
  const Objectives& objectives = s.run.objectives();
  for (const auto& e : evaluations) {
    if (!e.screened) continue;
    const Score full = s.full_score(e);
    if (objectives.violation(full) > 0) continue;
    EXPECT_LE(s.run.archive().hypervolume_with(objectives.normalised(full)), s.run.archive().hypervolume() + 1e-12)
        << e.candidate.hash;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryAlgorithm, ScreenedSearch,
                         ::testing::Values(Algorithm::mcts, Algorithm::random, Algorithm::nsga2, Algorithm::greedy,
                                           Algorithm::moead),
                         [](const auto& param) { return to_string(param.param); });

TEST(Screening, TheSameSeedGivesTheSameScreenedRun) {
  auto trajectory = [] {
    ScreenedRun s(40);
    s.run.begin();
    run_algorithm(Algorithm::mcts, s.run, {});
    std::vector<std::pair<Point, bool>> out;
    for (const auto& e : s.run.evaluations()) out.emplace_back(e.point, e.screened);
    return out;
  };
  EXPECT_EQ(trajectory(), trajectory());
}

TEST(Screening, StopsOnceTheScreensHaveCostTheBudgetsImages) {
  const auto& problem = test::synthetic_problem();
  ScreenScoring hopeless(problem.scoring, hopeless_top1);
  ParallelEvaluator evaluator(problem.scoring), screen_evaluator(hopeless);
  SearchRun run(problem.space, problem.scoring, evaluator, {}, 10);
  run.screen_with({screen_evaluator, hopeless});
  run.begin();
  run_algorithm(Algorithm::random, run, {});
  EXPECT_TRUE(run.finished());
  EXPECT_EQ(run.full_evaluations(), 1);  // the reference, which is never screened
  // 10 full evaluations' worth of 1000 images, 250 at a time.
  EXPECT_EQ(static_cast<std::int64_t>(run.evaluations().size()), 1 + 40);
  EXPECT_EQ(run.images_scored(), 1000 + 40 * 250);
}

TEST(Screening, RefusesAScreenThatSavesNothingOrComesTooLate) {
  const auto& problem = test::synthetic_problem();
  ParallelEvaluator evaluator(problem.scoring);
  SearchRun run(problem.space, problem.scoring, evaluator, {}, 10);
  EXPECT_THROW(run.screen_with({evaluator, problem.scoring}), Error);  // as many images as in full
  ScreenScoring screen(problem.scoring, sampled_top1);
  ParallelEvaluator screen_evaluator(screen);
  run.begin();
  EXPECT_THROW(run.screen_with({screen_evaluator, screen}), Error);
}

}  // namespace
}  // namespace vitdse::search

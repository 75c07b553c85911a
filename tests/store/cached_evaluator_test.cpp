// The cache as a decorator: hits never reach the inner evaluator, misses do once, and each
// result is committed as the inner evaluator reports it, so a batch that fails keeps its finished part.
#include "vitdse/store/cached_evaluator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "search/synthetic_problem.hpp"
#include "test_util.hpp"
#include "vitdse/search/parallel_evaluator.hpp"

namespace vitdse::store {
namespace {

using test::SyntheticProblem;
using test::TempDir;

/// Scores one candidate after another; throws after `fail_after` of them, and reports each
/// result through on_scored only when `reports`.
class SequentialEvaluator final : public search::BatchEvaluator {
 public:
  SequentialEvaluator(const search::Scoring& scoring, std::size_t fail_after, bool reports)
      : scoring_(scoring), fail_after_(fail_after), reports_(reports) {}
  using search::BatchEvaluator::evaluate;
  std::vector<search::Scored> evaluate(std::span<const search::Candidate> batch, const OnScored& on_scored) override {
    std::vector<search::Scored> out;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i == fail_after_) throw std::runtime_error("the evaluator failed");
      out.push_back({scoring_.score(batch[i].design), false});
      if (on_scored && reports_) on_scored(i, out.back());
    }
    return out;
  }

 private:
  const search::Scoring& scoring_;
  std::size_t fail_after_;
  bool reports_;
};

/// Scores and reports every candidate but, as a back end asked to stop, returns only the first `keep`.
class StoppedEvaluator final : public search::BatchEvaluator {
 public:
  StoppedEvaluator(const search::Scoring& scoring, std::size_t keep) : scoring_(scoring), keep_(keep) {}
  using search::BatchEvaluator::evaluate;
  std::vector<search::Scored> evaluate(std::span<const search::Candidate> batch, const OnScored& on_scored) override {
    std::vector<search::Scored> out;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      out.push_back({scoring_.score(batch[i].design), false});
      if (on_scored) on_scored(i, out.back());
    }
    out.resize(std::min(keep_, out.size()));
    return out;
  }

 private:
  const search::Scoring& scoring_;
  std::size_t keep_;
};

std::vector<search::Candidate> candidates(const SyntheticProblem& p, std::size_t n) {
  std::vector<search::Candidate> out;
  const auto points = p.all_points();
  for (std::size_t i = 0; i < n; ++i) out.push_back(p.scoring.candidate(p.space.design(points[i])));
  return out;
}

TEST(CachedEvaluator, MissesReachTheInnerEvaluatorOnceAndHitsNever) {
  const TempDir dir;
  const SyntheticProblem p;
  Database db(dir.path() / "c.sqlite");
  search::ParallelEvaluator fresh(p.scoring);
  CachedEvaluator cached(fresh, p.scoring, db);
  const auto batch = candidates(p, 6);
  std::vector<int> reported(batch.size(), 0);
  const auto first =
      cached.evaluate(std::span(batch).first(4), [&](std::size_t i, const search::Scored&) { ++reported[i]; });
  EXPECT_EQ(p.scoring.calls.load(), 4);
  EXPECT_EQ(std::vector<int>(reported.begin(), reported.begin() + 4), std::vector<int>(4, 1));
  // Four hits and two misses, in candidate order, equal to fresh scores; each reported once.
  const auto second = cached.evaluate(batch, [&](std::size_t i, const search::Scored&) { ++reported[i]; });
  EXPECT_EQ(reported, (std::vector<int>{2, 2, 2, 2, 1, 1}));
  EXPECT_EQ(p.scoring.calls.load(), 6);
  EXPECT_EQ(cached.hits(), 4);
  EXPECT_EQ(cached.misses(), 6);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(second[i].cached, i < 4) << i;
    EXPECT_DOUBLE_EQ(second[i].score.energy_uJ, p.scoring.score(batch[i].design).energy_uJ) << i;
    EXPECT_DOUBLE_EQ(second[i].score.top1_pct, p.scoring.score(batch[i].design).top1_pct) << i;
  }
  for (std::size_t i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(first[i].score.top1_pct, second[i].score.top1_pct);
  // Another scoring context is another cache.
  const test::SyntheticScoring other_scoring(p.workload, std::string(64, 'o'));
  CachedEvaluator other(fresh, other_scoring, db);
  EXPECT_FALSE(other.evaluate(std::span(batch).first(1))[0].cached);
}

TEST(CachedEvaluator, AFailedBatchKeepsWhatWasScoredBeforeTheFailure) {
  const TempDir dir;
  const SyntheticProblem p;
  const auto batch = candidates(p, 5);
  {
    Database db(dir.path() / "c.sqlite");
    SequentialEvaluator failing(p.scoring, 3, true);
    CachedEvaluator cached(failing, p.scoring, db);
    EXPECT_THROW((void)cached.evaluate(batch), std::runtime_error);
  }
  Database db(dir.path() / "c.sqlite");
  EXPECT_EQ(db.evaluation_count(), 3);
  search::ParallelEvaluator fresh(p.scoring);
  CachedEvaluator cached(fresh, p.scoring, db);
  const auto scored = cached.evaluate(batch);
  for (std::size_t i = 0; i < batch.size(); ++i) EXPECT_EQ(scored[i].cached, i < 3) << i;
}

// An inner evaluator that returns its results without reporting them still has them cached.
TEST(CachedEvaluator, ResultsReturnedUnreportedAreCommittedToo) {
  const TempDir dir;
  const SyntheticProblem p;
  const auto batch = candidates(p, 3);
  Database db(dir.path() / "c.sqlite");
  SequentialEvaluator silent(p.scoring, batch.size(), false);
  CachedEvaluator cached(silent, p.scoring, db);
  std::vector<int> reported(batch.size(), 0);
  (void)cached.evaluate(batch, [&](std::size_t i, const search::Scored&) { ++reported[i]; });
  EXPECT_EQ(reported, std::vector<int>(batch.size(), 1));
  EXPECT_EQ(db.evaluation_count(), 3);
  EXPECT_EQ(cached.misses(), 3);
}

}  // namespace
}  // namespace vitdse::store

namespace vitdse::store {
namespace {

TEST(CachedEvaluator, AStoppedInnerEvaluatorGivesALeadingPartAndKeepsEverythingItReported) {
  const TempDir dir;
  const SyntheticProblem p;
  Database db(dir.path() / "c.sqlite");
  const auto batch = candidates(p, 6);
  search::ParallelEvaluator fresh(p.scoring);
  (void)CachedEvaluator(fresh, p.scoring, db).evaluate(std::span(batch).first(2));  // 0 and 1 cached
  StoppedEvaluator stopped(p.scoring, 2);  // of the misses 2, 3, 4, 5 it returns 2 and 3
  CachedEvaluator cached(stopped, p.scoring, db);
  const auto out = cached.evaluate(batch);
  ASSERT_EQ(out.size(), 4u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].cached, i < 2) << i;
    EXPECT_DOUBLE_EQ(out[i].score.top1_pct, p.scoring.score(batch[i].design).top1_pct) << i;
  }
  EXPECT_EQ(db.evaluation_count(), 6) << "what the inner evaluator reported is committed, returned or not";
}

}  // namespace
}  // namespace vitdse::store

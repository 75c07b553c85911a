// The comparison's summary: each algorithm's evaluations to the best final median of the others,
// from hand-made traces whose answers are known.
#include <gtest/gtest.h>

#include "vitdse/report/compare.hpp"

namespace vitdse::report {
namespace {

AlgorithmSummary summary(search::Algorithm algorithm, std::vector<double> trace) {
  AlgorithmSummary s;
  s.algorithm = algorithm;
  s.final_hv = {trace.back()};
  s.median = s.min = s.max = trace.back();
  s.median_trace = std::move(trace);
  return s;
}

TEST(CompareTable, CountsEvaluationsToTheBestFinalMedianOfTheOthers) {
  CompareResult r;
  r.algorithms = {summary(search::Algorithm::mcts, {0.1, 0.5, 0.6, 0.9}),
                  summary(search::Algorithm::greedy, {0.5, 0.6, 0.6, 0.6}),
                  summary(search::Algorithm::random, {0.0, 0.1, 0.2, 0.3})};
  const auto rows = compare_table(r, 4).cells();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(std::get<std::int64_t>(rows[0][5]), 3);  // mcts reaches greedy's 0.6 at the third
  EXPECT_DOUBLE_EQ(std::get<double>(rows[0][6]), 75.0);
  EXPECT_EQ(std::get<std::string>(rows[1][5]), "never");  // greedy never reaches mcts's 0.9
  EXPECT_EQ(std::get<std::string>(rows[2][5]), "never");
}

// A best other median of 0 is reached by any trace at once: the column says there is nothing to
// reach rather than "1" (what the summary printed when random search's median was 0).
TEST(CompareTable, SaysNotApplicableWhenTheOthersFoundNothing) {
  CompareResult r;
  r.algorithms = {summary(search::Algorithm::mcts, {0.0, 0.4}), summary(search::Algorithm::random, {0.0, 0.0})};
  const auto rows = compare_table(r, 2).cells();
  EXPECT_EQ(std::get<std::string>(rows[0][5]), "n/a");
  EXPECT_EQ(std::get<std::string>(rows[1][5]), "never");  // mcts's 0.4
  CompareResult alone;
  alone.algorithms = {summary(search::Algorithm::mcts, {0.0, 0.4})};
  EXPECT_EQ(std::get<std::string>(compare_table(alone, 2).cells()[0][5]), "n/a");
}

}  // namespace
}  // namespace vitdse::report

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

// A screened twin is measured against the same algorithm scored in full: its final median as a
// share of the full one's, and the images after which it came within 1% of it, per seed.
TEST(CompareTable, MeasuresAScreenedTwinInImagesAgainstTheFullRuns) {
  AlgorithmSummary full = summary(search::Algorithm::mcts, {0.5, 0.8, 1.0});
  full.runs = {{{0.5, 0.8, 1.0}, {1, 2, 3}, {100, 200, 300}}};
  AlgorithmSummary screened = summary(search::Algorithm::mcts, {0.8, 0.995, 1.0});
  screened.screen_images = 10;
  // Two seeds: the first comes within 1% (0.99) at its third evaluation, after 120 images; the
  // second at its fourth, after 140; their median is 130.
  screened.runs = {{{0.5, 0.6, 0.99, 1.0}, {1, 1, 2, 3}, {100, 110, 120, 130}},
                   {{0.5, 0.6, 0.7, 0.995}, {1, 1, 1, 2}, {100, 110, 120, 140}}};
  screened.median = 0.995;
  CompareResult r;
  r.algorithms = {full, screened};
  const Table table = compare_table(r, 3);
  ASSERT_EQ(table.columns().size(), 11u);
  const auto rows = table.cells();
  EXPECT_EQ(std::get<std::string>(rows[0][0]), "mcts");
  EXPECT_EQ(std::get<std::string>(rows[1][0]), "mcts+screen10");
  EXPECT_EQ(std::get<std::string>(rows[0][5]), "n/a");  // each setting has only one algorithm
  EXPECT_DOUBLE_EQ(std::get<double>(rows[0][7]), 300);
  EXPECT_DOUBLE_EQ(std::get<double>(rows[1][7]), 135);  // final images: 130 and 140
  EXPECT_EQ(std::get<std::string>(rows[0][8]), "");
  EXPECT_DOUBLE_EQ(std::get<double>(rows[1][8]), 99.5);
  EXPECT_DOUBLE_EQ(std::get<double>(rows[1][9]), 130);
  EXPECT_DOUBLE_EQ(std::get<double>(rows[1][10]), 300.0 / 130);
  // Without a screened row the columns stay out.
  CompareResult plain;
  plain.algorithms = {full};
  EXPECT_EQ(compare_table(plain, 3).columns().size(), 8u);
}

}  // namespace
}  // namespace vitdse::report

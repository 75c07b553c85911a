// Eight searches with different seeds, eight processes, one database file at once: every run
// completes with all its rows, the file is sound, and the waits for each other's locks are counted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>

#include "process_util.hpp"
#include "small_dataset.hpp"
#include "test_util.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::test {
namespace {

constexpr int kSearchImages = kSanitized ? 4 : 8;
constexpr int kBudget = kSanitized ? 3 : 6;

TEST(StoreConcurrency, EightSearchesShareOneDatabaseAndLoseNoRow) {
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const TempDir dir;
  const std::string data = small_fashion_mnist(dir.path() / "data", 128, 64).string();
  const auto db = dir.path() / "shared.sqlite";
  const auto run_dir = [&](int seed) { return dir.path() / ("run" + std::to_string(seed)); };
  std::vector<pid_t> pids;
  for (int seed = 1; seed <= 8; ++seed) {
    // One evaluation per batch and per commit, and one thread each: as many commits as can be.
    const auto args = search_args(kBudget, kSearchImages, db, run_dir(seed), data,
                                  {"--seed", std::to_string(seed), "--batch", "1", "--threads", "1"});
    pids.push_back(spawn_vitdse(args, {}, dir.path() / ("err" + std::to_string(seed))));
  }
  for (std::size_t i = 0; i < pids.size(); ++i) {
    std::ifstream err(dir.path() / ("err" + std::to_string(i + 1)));
    std::ostringstream text;
    EXPECT_EQ(wait_exit(pids[i]), 0) << "seed " << i + 1 << ": " << (text << err.rdbuf(), text.str());
  }
  EXPECT_EQ(integrity_check(db), "ok");
  const store::Database store(db);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 8u);
  std::set<std::string> keys;
  for (const auto& run : runs) {
    EXPECT_EQ(run.status, "done") << run.id;
    EXPECT_EQ(run.evaluations, kBudget) << run.id;
    const auto points = store.run_points(run.id);  // joined with the evaluations: a lost row is missing here
    EXPECT_EQ(points.size(), static_cast<std::size_t>(kBudget)) << run.id;
    for (const auto& p : points) keys.insert(p.key);
  }
  EXPECT_EQ(store.evaluation_count(), static_cast<std::int64_t>(keys.size()));
  // Each run's log ends with the times its connection waited for another's lock.
  std::int64_t retries = 0;
  for (int seed = 1; seed <= 8; ++seed) {
    std::ifstream in(run_dir(seed) / "log.txt");
    std::ostringstream log;
    log << in.rdbuf();
    std::smatch m;
    const std::string text = log.str();
    ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(; (\d+) database retries\n$)"))) << text;
    retries += std::stoll(m[1]);
  }
  std::cout << "SQLITE_BUSY retries of 8 concurrent searches: " << retries << '\n';
  RecordProperty("busy_retries", static_cast<int>(retries));
}

}  // namespace
}  // namespace vitdse::test

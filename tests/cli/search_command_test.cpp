// vitdse search, runs and pareto end to end: outputs, determinism, the cache, crash safety,
// interruption, concurrent runs on one database, and bad input.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "process_util.hpp"
#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::test {
namespace {

constexpr int kCommandImages = kSanitized ? 20 : 100;  // the same checks, lighter, under the sanitizers
constexpr int kFewImages = kSanitized ? 10 : 40;       // for tests that run many searches

/// Rows of a CSV without quoted commas except in the last column (the canonical design).
std::vector<std::vector<std::string>> csv_rows(const std::string& text, std::size_t columns) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : split(text, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (std::size_t c = 0; c + 1 < columns; ++c) {
      const auto comma = line.find(',', start);
      cells.push_back(line.substr(start, comma - start));
      start = comma + 1;
    }
    std::string last = line.substr(start);
    std::string cell;
    if (last.size() >= 2 && last.front() == '"') {  // RFC 4180: "" inside quotes is one quote
      for (std::size_t i = 1; i + 1 < last.size(); ++i) {
        cell += last[i];
        if (last[i] == '"') ++i;
      }
    } else {
      cell = last;
    }
    cells.push_back(cell);
    rows.push_back(std::move(cells));
  }
  return rows;
}

/// search_args with the database and run directory inside `dir`, on the full Fashion-MNIST.
std::vector<std::string> args_in(const TempDir& dir, const std::string& db, int budget, const std::string& out,
                                 const std::vector<std::string>& extra = {}, int images = 40, int final_images = 0) {
  return test::search_args(budget, images, dir.path() / db, dir.path() / out, kFashionMnist, extra, final_images);
}

#define REQUIRE_DATASET() \
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed"

TEST(SearchCommand, WritesASaneFrontThatReproducesAndRerunsFromTheCache) {
  REQUIRE_DATASET();
  const TempDir dir;
  auto args = args_in(dir, "c.sqlite", 12, "run", {}, 40, 60);
  const auto r = run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("12 evaluations, 0 from the cache"), std::string::npos) << r.out;
  for (const char* f : {"pareto.csv", "all.csv", "hv.csv", "run.yaml", "log.txt"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "run" / f)) << f;
  }
  const std::string pareto = read_file(dir.path() / "run/pareto.csv");
  const auto rows = csv_rows(pareto, 12);
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "design_hash");
  EXPECT_EQ(rows[0][3], "energy_uJ");
  // Non-dominated in (drop, energy), and each row's figures come back from eval and cost.
  for (std::size_t i = 1; i < rows.size(); ++i) {
    for (std::size_t j = 1; j < rows.size(); ++j) {
      const double di = std::stod(rows[i][2]), ei = std::stod(rows[i][3]);
      const double dj = std::stod(rows[j][2]), ej = std::stod(rows[j][3]);
      EXPECT_FALSE(dj <= di && ej <= ei && (dj < di || ej < ei)) << i << " dominated by " << j;
    }
    const std::string name = "design" + std::to_string(i) + ".json";  // (GCC 12 misreads "d" + to_string)
    const auto design = dir.write(name, rows[i][11]);
    const auto e = run_cli({"eval", "--design", design, "--images", "40", "--data", kFashionMnist, "--json"});
    ASSERT_EQ(e.code, 0) << e.err;
    EXPECT_EQ(nlohmann::json::parse(e.out)["top1_pct"].get<double>(), std::stod(rows[i][1]));
    const auto c = run_cli({"cost", "--design", design, "--json"});
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(c.out)["metrics"]["energy_total_uJ"].get<double>(), std::stod(rows[i][3]));
    EXPECT_FALSE(rows[i][10].empty());  // re-scored on 60 test images
  }
  // The same command again: everything from the cache, the same front byte for byte.
  const auto again = run_cli(args);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_NE(again.out.find("12 evaluations, 12 from the cache"), std::string::npos) << again.out;
  EXPECT_EQ(read_file(dir.path() / "run/pareto.csv"), pareto);
  // runs lists it once, done; pareto re-exports the same designs.
  const auto runs = run_cli({"runs", "--db", (dir.path() / "c.sqlite").string(), "--json"});
  ASSERT_EQ(runs.code, 0) << runs.err;
  const auto listed = nlohmann::json::parse(runs.out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["status"], "done");
  EXPECT_EQ(listed[0]["evaluations"], 12);
  const auto exported = (dir.path() / "front.csv").string();
  ASSERT_EQ(run_cli({"pareto", "--db", (dir.path() / "c.sqlite").string(), "--csv", exported}).code, 0);
  // The same designs with the same full-test accuracy (read back from the cache).
  std::map<std::string, std::string> a, b;
  for (std::size_t i = 1; i < rows.size(); ++i) a[rows[i][0]] = rows[i][10];
  for (const auto& row : csv_rows(read_file(exported), 12)) b[row[0]] = row[10];
  b.erase("design_hash");
  EXPECT_EQ(a, b);
}

TEST(SearchCommand, EveryAlgorithmSpendsTheBudgetOnDistinctDesignsDeterministically) {
  REQUIRE_DATASET();
  const TempDir dir;
  for (const std::string algo : {"mcts", "random", "nsga2", "greedy", "moead"}) {
    const auto r1 =
        run_cli(args_in(dir, algo + "1.sqlite", 16, algo + "1", {"--algo", algo, "--seed", "3"}, kFewImages));
    ASSERT_EQ(r1.code, 0) << r1.err;
    const auto r2 = run_cli(
        args_in(dir, algo + "2.sqlite", 16, algo + "2", {"--algo", algo, "--seed", "3", "--threads", "1"}, kFewImages));
    ASSERT_EQ(r2.code, 0) << r2.err;
    const auto all = csv_rows(read_file(dir.path() / (algo + "1") / "all.csv"), 13);
    std::set<std::string> hashes;
    for (std::size_t i = 1; i < all.size(); ++i) hashes.insert(all[i][1]);
    EXPECT_EQ(hashes.size(), all.size() - 1) << algo << ": a design was scored twice";
    if (algo != "greedy") {
      EXPECT_EQ(all.size() - 1, 16u) << algo;  // greedy may finish early
    }
    // Another database, one thread instead of all: the same run.
    EXPECT_EQ(read_file(dir.path() / (algo + "1") / "pareto.csv"), read_file(dir.path() / (algo + "2") / "pareto.csv"))
        << algo;
    EXPECT_EQ(read_file(dir.path() / (algo + "1") / "hv.csv"), read_file(dir.path() / (algo + "2") / "hv.csv")) << algo;
  }
}

TEST(SearchCommand, AKilledRunResumesWithoutRepeatingAnEvaluation) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto db = dir.path() / "k.sqlite";
  auto args = args_in(dir, "k.sqlite", 40, "k", {}, kCommandImages);
  const pid_t pid = spawn_vitdse(args);
  wait_for_evaluations(db, 5, pid);
  kill(pid, SIGKILL);
  wait_exit(pid);
  const std::int64_t done = store::Database(db).evaluation_count();
  ASSERT_GE(done, 1);
  const auto r = run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  // Everything finished before the kill comes from the cache; nothing else is in it.
  EXPECT_NE(r.out.find("40 evaluations, " + std::to_string(done) + " from the cache"), std::string::npos)
      << r.out << " (" << done << " stored before the kill)";
  EXPECT_EQ(store::Database(db).evaluation_count(), 40);
  // And the front is the one an uninterrupted run finds.
  ASSERT_EQ(run_cli(args_in(dir, "fresh.sqlite", 40, "fresh", {}, kCommandImages)).code, 0);
  EXPECT_EQ(read_file(dir.path() / "k/pareto.csv"), read_file(dir.path() / "fresh/pareto.csv"));
}

TEST(SearchCommand, CtrlCStopsGracefullyAndWritesTheFront) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto db = dir.path() / "i.sqlite";
  const pid_t pid = spawn_vitdse(args_in(dir, "i.sqlite", 200, "i", {}, kCommandImages));
  wait_for_evaluations(db, 3, pid);
  kill(pid, SIGINT);
  EXPECT_EQ(wait_exit(pid), 130);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "i/pareto.csv"));
  const auto runs = store::Database(db).runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "interrupted");
  EXPECT_LT(runs[0].evaluations, 200);
}

TEST(SearchCommand, TwoSearchesShareOneDatabase) {
  REQUIRE_DATASET();
  const TempDir dir;
  const pid_t a = spawn_vitdse(args_in(dir, "s.sqlite", 15, "a", {"--seed", "1"}, kFewImages));
  const pid_t b = spawn_vitdse(args_in(dir, "s.sqlite", 15, "b", {"--seed", "2", "--algo", "random"}, kFewImages));
  EXPECT_EQ(wait_exit(a), 0);
  EXPECT_EQ(wait_exit(b), 0);
  const store::Database db(dir.path() / "s.sqlite");
  const auto runs = db.runs();
  ASSERT_EQ(runs.size(), 2u);
  std::set<std::string> keys;
  for (const auto& run : runs) {
    EXPECT_EQ(run.status, "done");
    const auto points = db.run_points(run.id);
    EXPECT_EQ(points.size(), 15u) << run.id;
    for (const auto& p : points) keys.insert(p.key);
  }
  EXPECT_EQ(db.evaluation_count(), static_cast<std::int64_t>(keys.size()));  // no lost rows
}

TEST(CompareCommand, RunsEveryAlgorithmOnEverySeedAndSummarises) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto out = dir.path() / "cmp";
  const std::vector<std::string> args{"-q",       "compare",    "--budget", "8",
                                      "--seeds",  "2",          "--algos",  "mcts,random",
                                      "--images", "20",         "--db",     (dir.path() / "c.sqlite").string(),
                                      "--out",    out.string(), "--data",   kFashionMnist};
  const auto r = run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto summary = csv_rows(read_file(out / "summary.csv"), 7);
  ASSERT_EQ(summary.size(), 3u);
  EXPECT_EQ(summary[1][0], "mcts");
  EXPECT_EQ(summary[2][0], "random");
  for (const auto& row : {summary[1], summary[2]}) {  // evaluations to the other's median, within the budget
    EXPECT_TRUE(row[5] == "never" || row[5] == "n/a" || std::stoi(row[5]) <= 8) << row[5];
  }
  const auto traces = csv_rows(read_file(out / "hv.csv"), 4);
  EXPECT_EQ(traces.size(), 1u + 2 * 2 * 8);
  const std::string svg = read_file(out / "hv.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find(">mcts<"), std::string::npos);
  EXPECT_NE(svg.find(">random<"), std::string::npos);
  // Run again: every run comes from the cache.
  ASSERT_EQ(run_cli(args).code, 0);
  const store::Database db(dir.path() / "c.sqlite");
  for (const auto& run : db.runs()) EXPECT_EQ(run.cache_hits, 8) << run.id;
}

TEST(SearchCommand, BadInputIsAOneLineError) {
  const TempDir dir;
  const auto garbage = dir.write("garbage.sqlite", std::string(4096, 'x'));
  const auto text = dir.write("notes.txt", "not a database\n");
  const std::vector<std::pair<std::vector<std::string>, int>> cases{
      {{"search", "--budget", "0"}, 2},
      {{"search", "--algo", "annealing"}, 2},
      {{"search", "--objectives", "energy,top1"}, 2},
      {{"search", "--constraint", "speed <= 2"}, 2},
      {{"search", "--batch", "0"}, 2},
      {{"search", "--policy", "nosuchpolicy"}, 1},
      {{"search", "--policy", dir.write("p.yaml", "version: 1\nname: p\nvariables: 3\n")}, 1},
      {{"search", "--budget", "2", "--images", "10", "--data", kFashionMnist, "--db", garbage}, 1},
      {{"search", "--budget", "2", "--images", "10", "--data", kFashionMnist, "--db", text}, 1},
      {{"search", "--budget", "2", "--images", "10", "--data", kFashionMnist, "--db",
        (dir.path() / "no/such/dir/x.sqlite").string()},
       1},
      {{"runs", "--db", garbage}, 1},
      {{"runs", "--db", (dir.path() / "missing.sqlite").string()}, 1},
      {{"pareto", "--db", garbage}, 1},
      {{"search", "--budget", "2", "--arch", "efficientvit-zcu102", "--objectives", "top1,area", "--db",
        (dir.path() / "fpga.sqlite").string()},
       1},  // an FPGA has no area
      {{"compare", "--seeds", "0"}, 2},
      {{"compare", "--budget", "2", "--seeds", "1", "--out", text}, 1},  // a file, not a directory
      {{"search", "--budget", "2", "--images", "10", "--data", kFashionMnist, "--db",
        (dir.path() / "ok.sqlite").string(), "--out", text},
       1},
  };
  for (const auto& [args, code] : cases) {
    if (!std::filesystem::exists(kFashionMnist) && code == 1 && args.size() > 4) continue;
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, code) << join(args, " ") << ": " << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace vitdse::test

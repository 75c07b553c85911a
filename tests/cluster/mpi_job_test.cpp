// `mpirun -n K vitdse ...` end to end: the same front for any K and thread count, a killed worker
// that loses no committed evaluation, Ctrl-C, and failures of any rank as one line.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "process_util.hpp"
#include "small_dataset.hpp"
#include "test_util.hpp"
#include "vitdse/cluster/cluster.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::test {
namespace {

constexpr int kImages = kSanitized ? 16 : 64;
constexpr int kBudget = kSanitized ? 8 : 16;

class MpiJob : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cluster::built_with_mpi()) GTEST_SKIP() << "this build has no MPI (install libopenmpi-dev and rebuild)";
    if (mpirun_path().empty()) GTEST_SKIP() << "no mpirun on the PATH (install openmpi-bin)";
    if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    data_ = small_fashion_mnist(dir_.path() / "data", 128, kImages).string();
  }

  /// A quiet search into `name`.sqlite and the run directory `name`/.
  std::vector<std::string> search(const std::string& name, int threads, int budget = kBudget) const {
    return search_args(budget, kImages, db(name), dir_.path() / name, data_,
                       {"--threads", std::to_string(threads), "--batch", "4"});
  }
  [[nodiscard]] std::filesystem::path db(const std::string& name) const { return dir_.path() / (name + ".sqlite"); }
  [[nodiscard]] std::string front(const std::string& name) const {
    return read_file(dir_.path() / name / "pareto.csv");
  }

  TempDir dir_;
  std::string data_;
};

/// The pid of rank `rank` among the children of mpirun `parent`, from their environments.
pid_t rank_pid(pid_t parent, int rank) {
  const std::string wanted = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != parent) continue;
    std::ifstream env(entry.path() / "environ");
    for (std::string var; std::getline(env, var, '\0');) {
      if (var == wanted) return static_cast<pid_t>(std::stoi(name));
    }
  }
  return -1;
}

TEST_F(MpiJob, SearchFrontIsByteIdenticalForAnyRankAndThreadCount) {
  ASSERT_EQ(run_vitdse(search("one", 2)).code, 0);
  const auto two = run_mpirun(2, search("two", 2));
  ASSERT_EQ(two.code, 0) << two.err;
  const auto three = run_mpirun(3, search("three", 1));
  ASSERT_EQ(three.code, 0) << three.err;
  EXPECT_FALSE(front("one").empty());
  EXPECT_EQ(front("two"), front("one"));
  EXPECT_EQ(front("three"), front("one"));
  EXPECT_EQ(store::Database(db("three")).evaluation_count(), kBudget);
}

// A screened search keeps two set-ups in use at once on every rank; a worker that knew only the
// one announced last failed its first full evaluation.
TEST_F(MpiJob, ScreenedSearchIsIdenticalOnThreeRanks) {
  auto screened = [&](const std::string& name) {
    return search_args(kBudget, kImages, db(name), dir_.path() / name, data_,
                       {"--threads", "1", "--batch", "4", "--screen-images", std::to_string(kImages / 4)});
  };
  ASSERT_EQ(run_vitdse(screened("one")).code, 0);
  const auto three = run_mpirun(3, screened("three"));
  ASSERT_EQ(three.code, 0) << three.err;
  EXPECT_FALSE(front("one").empty());
  EXPECT_EQ(front("three"), front("one"));
  EXPECT_EQ(read_file(dir_.path() / "three" / "hv.csv"), read_file(dir_.path() / "one" / "hv.csv"));
}

// The convolutional evaluator behind the same seam: an EfficientViT search (the trio policy on
// efficientvit-fmnist) has the single process's front and scores on three ranks.
TEST_F(MpiJob, EfficientVitSearchIsIdenticalOnThreeRanks) {
  auto trio = [&](const std::string& name) {
    return search_args(kBudget, kImages, db(name), dir_.path() / name, data_,
                       {"--policy", "trio", "--threads", "1", "--batch", "4"});
  };
  ASSERT_EQ(run_vitdse(trio("one")).code, 0);
  const auto three = run_mpirun(3, trio("three"));
  ASSERT_EQ(three.code, 0) << three.err;
  EXPECT_FALSE(front("one").empty());
  EXPECT_EQ(front("three"), front("one"));
  EXPECT_EQ(read_file(dir_.path() / "three" / "hv.csv"), read_file(dir_.path() / "one" / "hv.csv"));
}

TEST_F(MpiJob, CompareOfTwoAlgorithmsIsIdenticalOnThreeRanks) {
  auto compare = [&](const std::string& name) {
    return std::vector<std::string>{
        "-q",        "compare", "--algos",  "mcts,random",           "--seeds", "1",
        "--budget",  "8",       "--images", std::to_string(kImages), "--data",  data_,
        "--threads", "1",       "--db",     db(name).string(),       "--out",   (dir_.path() / name).string()};
  };
  ASSERT_EQ(run_vitdse(compare("one")).code, 0);
  const auto three = run_mpirun(3, compare("three"));
  ASSERT_EQ(three.code, 0) << three.err;
  EXPECT_EQ(read_file(dir_.path() / "three" / "hv.csv"), read_file(dir_.path() / "one" / "hv.csv"));
  EXPECT_EQ(read_file(dir_.path() / "three" / "summary.csv"), read_file(dir_.path() / "one" / "summary.csv"));
}

TEST_F(MpiJob, SensitivityIsIdenticalOnThreeRanks) {
  const std::vector<std::string> args{
      "-q", "sensitivity", "--unit", "drum:8s:k=4", "--images", std::to_string(kImages), "--data", data_, "--csv"};
  // The table goes to stdout, which the process helpers discard, so a shell writes it to a file.
  const auto table = [&](int ranks) {
    std::vector<std::string> words;
    if (ranks > 1) {
      words.push_back(mpirun_path().string());
      const auto options = mpirun_options();
      words.insert(words.end(), options.begin(), options.end());
      words.insert(words.end(), {"-n", std::to_string(ranks)});
    }
    words.emplace_back(vitdse_binary());
    words.insert(words.end(), args.begin(), args.end());
    std::string line;
    for (const auto& w : words) line += "'" + w + "' ";
    const auto out = dir_.path() / ("sensitivity" + std::to_string(ranks) + ".csv");
    const auto r = run_program("/bin/sh", {"-c", line + "> '" + out.string() + "'"});
    EXPECT_EQ(r.code, 0) << r.err;
    return read_file(out);
  };
  const std::string single = table(1);
  EXPECT_NE(single.find("blocks.0.mlp.fc1"), std::string::npos) << single;
  EXPECT_EQ(table(3), single);
}

TEST_F(MpiJob, AKilledWorkerEndsTheJobAndARerunWithOtherRanksRecomputesNothing) {
  constexpr int kLong = kSanitized ? 16 : 32;
  ASSERT_EQ(run_vitdse(search("whole", 1, kLong)).code, 0);
  const pid_t job = spawn_mpirun(3, search("killed", 1, kLong), {}, dir_.path() / "killed.err");
  wait_for_evaluations(db("killed"), 6, job);
  const pid_t worker = rank_pid(job, 1);
  ASSERT_GT(worker, 0) << "rank 1 of mpirun " << job << " not found";
  ASSERT_EQ(::kill(worker, SIGKILL), 0);
  EXPECT_NE(wait_exit(job), 0) << "mpirun should fail when a rank is killed";
  const std::int64_t committed = store::Database(db("killed")).evaluation_count();
  ASSERT_GE(committed, 6);
  ASSERT_LT(committed, kLong) << "the kill came too late to test a resume";

  const auto resumed = run_mpirun(2, search("killed", 1, kLong));
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  const store::Database store(db("killed"));
  EXPECT_EQ(store.evaluation_count(), kLong);
  const auto runs = store.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "done");
  EXPECT_EQ(runs[0].cache_hits, committed) << "every committed evaluation is a cache hit, and only those";
  EXPECT_EQ(front("killed"), front("whole"));
}

TEST_F(MpiJob, CtrlCStopsEveryRankAndWritesTheRunDirectory) {
  ChildFault terminal;
  terminal.own_process_group = true;
  const pid_t job = spawn_mpirun(2, search("stopped", 1, 400), terminal, dir_.path() / "stopped.err");
  wait_for_evaluations(db("stopped"), 6, job);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(-job, SIGINT), 0);  // to the whole group, as a terminal sends it
  (void)wait_exit(job);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "stopped" / "pareto.csv"))
      << read_file(dir_.path() / "stopped.err");
  const auto runs = store::Database(db("stopped")).runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].status, "interrupted");
  EXPECT_LT(runs[0].evaluations, 400);
}

/// The lines of `text` that vitdse wrote (not the launcher).
std::vector<std::string> vitdse_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST_F(MpiJob, ABadModelOnRankZeroIsOneLineAndAQuickFailure) {
  auto args = search("bad", 1);
  args.insert(args.end(), {"--model", "no-such-model"});
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_mpirun(3, args);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_NE(r.code, 0);
  const auto lines = vitdse_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("vitdse: error: unknown model 'no-such-model'", 0), 0u) << lines[0];
}

TEST_F(MpiJob, AWorkerThatCannotLoadFailsTheJobWithTheLineASingleProcessPrints) {
  // Only rank 1 has a bad kernel setting, which the evaluator's factory rejects when loading.
  const auto args = search("worker", 1);
  const auto single = run_program("/usr/bin/env", [&] {
    std::vector<std::string> a{"VITDSE_GEMM_KERNEL=nonsense", vitdse_binary()};
    a.insert(a.end(), args.begin(), args.end());
    return a;
  }());
  ASSERT_NE(single.code, 0);
  auto mpmd = mpirun_options();
  mpmd.insert(mpmd.end(), {"-n", "1", vitdse_binary()});
  mpmd.insert(mpmd.end(), args.begin(), args.end());
  // mpirun's -x reaches the first program only; the second gets its environment through env.
  mpmd.insert(mpmd.end(), {":", "-n", "1", "/usr/bin/env", "VITDSE_GEMM_KERNEL=nonsense"});
  if (kSanitized) mpmd.emplace_back("ASAN_OPTIONS=detect_leaks=0:abort_on_error=1");
  mpmd.emplace_back(vitdse_binary());
  mpmd.insert(mpmd.end(), args.begin(), args.end());
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_program(mpirun_path().string(), mpmd);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(vitdse_lines(r.err), vitdse_lines(single.err)) << r.err;
}

}  // namespace
}  // namespace vitdse::test

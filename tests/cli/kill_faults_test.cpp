// SIGKILL at seeded random points of a search (20) and of a training run (5); fewer under the
// sanitizers, where every process is ten times slower. After each kill the store is
// sound and keeps every committed evaluation, every file is whole, and a re-run completes.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "process_util.hpp"
#include "small_dataset.hpp"
#include "test_util.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/card.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::test {
namespace {

constexpr int kKillImages = kSanitized ? 4 : 8;

#define REQUIRE_DATASET() \
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed"

/// Runs `args`, kills it with SIGKILL after `delay`; true when the kill found it running.
bool run_and_kill(const std::vector<std::string>& args, std::chrono::microseconds delay) {
  const pid_t pid = spawn_vitdse(args);
  const auto until = std::chrono::steady_clock::now() + delay;
  int code = 0;
  while (std::chrono::steady_clock::now() < until) {
    if (!still_running(pid, code)) return false;  // finished first
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  ::kill(pid, SIGKILL);
  return wait_exit(pid) == 128 + SIGKILL;
}

double seconds_of(const std::vector<std::string>& args) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(run_vitdse(args).code, 0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Every tensor's bytes (the metadata names the command, which differs between the runs).
std::map<std::string, std::vector<std::uint8_t>> tensors_of(const std::filesystem::path& p) {
  const model::SafetensorsFile file(p);
  std::map<std::string, std::vector<std::uint8_t>> out;
  for (const auto& name : file.names()) out[name] = file.read_raw(name);
  return out;
}

/// A CSV the search wrote whole: a header and rows, each ending in a newline.
void expect_whole_csv(const std::filesystem::path& p, const std::string& header_start) {
  if (!std::filesystem::exists(p)) return;  // not written yet
  const std::string text = read_file(p);
  EXPECT_EQ(text.rfind(header_start, 0), 0u) << p;
  EXPECT_TRUE(!text.empty() && text.back() == '\n') << p << " ends mid-line";
}

TEST(KillFaults, ASearchKilledAtTwentyRandomPointsResumesAndLosesNothing) {
  REQUIRE_DATASET();
  const TempDir dir;
  const std::string data = small_fashion_mnist(dir.path() / "data", 128, 64).string();
  const auto db = dir.path() / "k.sqlite";
  const auto out = dir.path() / "run";
  // Each round extends the run by one evaluation, so every kill can land in fresh scoring, a
  // commit, or the run directory's files, as well as in start-up. Fewer kills under the
  // sanitizers, where each process takes ten times as long.
  auto args = [&](int budget) { return search_args(budget, kKillImages, db, out, data, {"--batch", "2"}); };
  // The kill points are drawn over the length of a typical round (one evaluation beyond the
  // cache), timed after a cold first run: timing the cold run made a quarter of the kills land
  // after the round had finished, and a loaded CI machine could then run out of rounds.
  int budget = 2;
  seconds_of(args(budget));
  const double seconds = seconds_of(args(++budget));
  std::mt19937_64 rng(20240607);
  std::uniform_real_distribution<double> when(0.05 * seconds, 1.1 * seconds);
  const int wanted = kSanitized ? 3 : 20;
  int kills = 0;
  for (int round = 0; kills < wanted && round < 3 * wanted; ++round) {
    budget += 1;
    const auto committed = evaluation_keys(db);
    const auto delay = std::chrono::microseconds(static_cast<std::int64_t>(1e6 * when(rng)));
    if (run_and_kill(args(budget), delay)) ++kills;
    // After the kill: a sound file with every earlier commit, and whole files in the run directory.
    ASSERT_EQ(integrity_check(db), "ok") << "round " << round;
    const auto after_kill = evaluation_keys(db);
    ASSERT_TRUE(includes_all(after_kill, committed)) << "round " << round << ": a committed evaluation was lost";
    expect_whole_csv(out / "all.csv", "evaluation,");
    expect_whole_csv(out / "pareto.csv", "design_hash,");
    expect_whole_csv(out / "hv.csv", "evaluation,");
    // The re-run completes, scoring only what the killed run had not committed.
    const auto again = run_vitdse(args(budget));
    ASSERT_EQ(again.code, 0) << "round " << round << ": " << again.err;
    const auto after = evaluation_keys(db);
    ASSERT_EQ(after.size(), static_cast<std::size_t>(budget)) << "round " << round;
    ASSERT_TRUE(includes_all(after, after_kill));
    EXPECT_EQ(split(read_file(out / "all.csv"), '\n').size(), static_cast<std::size_t>(budget) + 2)
        << "round " << round;
    for (const auto& e : std::filesystem::directory_iterator(out)) {
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path() << " left behind";
    }
  }
  EXPECT_EQ(kills, wanted) << "too few kills found the search running";
}

TEST(KillFaults, TrainingKilledAtFiveRandomPointsResumesToTheSameWeights) {
  REQUIRE_DATASET();
  const TempDir dir;
  const std::string data = small_fashion_mnist(dir.path() / "data", 128, 64).string();
  auto args = [&](const std::filesystem::path& out) {
    return std::vector<std::string>{"-q",
                                    "train",
                                    "--model",
                                    test_data("vit-28x28-random.yaml"),
                                    "--data",
                                    data,
                                    "--epochs",
                                    kSanitized ? "2" : "3",
                                    "--batch",
                                    "32",
                                    "--train-images",
                                    kSanitized ? "32" : "64",
                                    "--test-images",
                                    "16",
                                    "--out",
                                    out.string(),
                                    "--resume"};
  };
  const auto reference = dir.path() / "ref" / "w.safetensors";
  const double seconds = seconds_of(args(reference));
  const auto expected = tensors_of(reference);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> when(0.1 * seconds, 1.1 * seconds);
  const int wanted = kSanitized ? 2 : 5;
  int kills = 0;
  for (int round = 0; kills < wanted && round < 3 * wanted; ++round) {
    std::filesystem::path run = "r";  // not "r" + to_string(): GCC 12's -Wrestrict misfires on it here
    run += std::to_string(round);
    const auto weights = dir.path() / run / "w.safetensors";
    const auto checkpoint = weights.string() + ".ckpt";
    const auto delay = std::chrono::microseconds(static_cast<std::int64_t>(1e6 * when(rng)));
    if (run_and_kill(args(weights), delay)) ++kills;
    // Whatever was written is whole: the checkpoint and the weights load.
    if (std::filesystem::exists(checkpoint)) {
      EXPECT_NO_THROW(model::SafetensorsFile{checkpoint}) << "round " << round;
    }
    if (std::filesystem::exists(weights)) {
      EXPECT_NO_THROW(model::SafetensorsFile{weights}) << "round " << round;
    }
    const auto again = run_vitdse(args(weights));
    ASSERT_EQ(again.code, 0) << "round " << round << ": " << again.err;
    EXPECT_NO_THROW(eval::load_vit_weights(model::load_model_card((weights.parent_path() / "w.yaml").string())));
    // Resuming from any checkpoint gives the uninterrupted run's weights, bit for bit.
    EXPECT_TRUE(tensors_of(weights) == expected) << "round " << round;
  }
  EXPECT_EQ(kills, wanted) << "too few kills found the training running";
}

}  // namespace
}  // namespace vitdse::test

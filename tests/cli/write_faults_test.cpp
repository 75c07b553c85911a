// Write faults end to end, for each kind of write (the store, weights and checkpoints, run
// directories, result files): a full disk and a read-only directory. After each fault the command
// has failed with one line and a non-zero exit, and the next run completes and finds everything
// that was committed before.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "process_util.hpp"
#include "small_dataset.hpp"
#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/card.hpp"
#include "vitdse/model/safetensors.hpp"
#include "vitdse/report/reproduce.hpp"

namespace vitdse::test {
namespace {

constexpr int kFaultImages = kSanitized ? 4 : 8;  // test images per design: the faults, not the accuracy, matter

#define REQUIRE_DATASET() \
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed"

/// A few images in the test's directory: the processes start in milliseconds instead of decompressing 70,000.
std::string small_data(const TempDir& dir) { return small_fashion_mnist(dir.path() / "data", 128, 64).string(); }

std::vector<std::string> search(const std::string& data, const std::filesystem::path& db,
                                const std::filesystem::path& out, int budget) {
  return search_args(budget, kFaultImages, db, out, data);
}

std::vector<std::string> train(const std::string& data, const std::filesystem::path& out) {
  return {"-q",
          "train",
          "--model",
          test_data("vit-28x28-random.yaml"),
          "--data",
          data,
          "--epochs",
          "1",
          "--batch",
          "32",
          "--train-images",
          "64",
          "--test-images",
          "16",
          "--out",
          out.string(),
          "--resume"};
}

/// The command failed as a fault should make it: exit 1, one line on stderr naming `file`.
void expect_one_line_failure(const ProcessResult& r, const std::string& file, const std::string& reason) {
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
}

/// The failure a full disk must cause. Without a tmpfs the file-size limit holds for every file
/// the child writes, so the first to fail may be another one than `file`.
void expect_full_disk_failure(const ProcessResult& r, const FullDisk& disk, const std::string& file) {
  if (disk.mounted()) {
    expect_one_line_failure(r, file, disk.reason());
  } else {
    expect_one_line_failure(r, "", disk.reason());
  }
}

/// Names in `dir` that an atomic write left behind.
std::vector<std::string> temporaries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) out.push_back(name);
  }
  return out;
}

TEST(StoreFaults, AFullDiskFailsTheSearchInOneLineAndLosesNoCommit) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto data = small_data(dir);
  FullDisk disk(dir.path() / "disk");
  const auto db = disk.path() / "s.sqlite";
  ASSERT_EQ(run_vitdse(search(data, db, dir.path() / "run", 3)).code, 0);
  const auto before = evaluation_keys(db);
  ASSERT_EQ(before.size(), 3u);
  // A little room: the file is opened, then a commit finds the disk full.
  disk.fill(40 << 10, 40 << 10);
  const auto failed = run_vitdse(search(data, db, dir.path() / "run", 12), disk.fault());
  expect_one_line_failure(failed, db.string(), disk.mounted() ? "full" : "");
  disk.free();
  EXPECT_EQ(integrity_check(db), "ok");
  const auto after_fault = evaluation_keys(db);
  EXPECT_TRUE(includes_all(after_fault, before));
  const auto again = run_vitdse(search(data, db, dir.path() / "run", 12));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(integrity_check(db), "ok");
  EXPECT_EQ(evaluation_keys(db).size(), 12u);
  EXPECT_TRUE(includes_all(evaluation_keys(db), after_fault));
}

TEST(StoreFaults, AReadOnlyDatabaseFailsInOneLine) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto data = small_data(dir);
  ReadOnlyDir ro(dir.path() / "ro");
  const auto db = ro.path() / "s.sqlite";
  ASSERT_EQ(run_vitdse(search(data, db, dir.path() / "run", 2)).code, 0);
  ro.make_read_only();
  if (!ro.blocks_writes()) GTEST_SKIP() << "no way here to make a directory read-only to a child running as root";
  expect_one_line_failure(run_vitdse(search(data, db, dir.path() / "run", 4), ro.fault()), db.string(), "read-only");
  // A new database in a read-only directory cannot even be created.
  expect_one_line_failure(run_vitdse(search(data, ro.path() / "new.sqlite", dir.path() / "run", 4), ro.fault()),
                          (ro.path() / "new.sqlite").string(), ro.reason());
  ro.make_writable();
  EXPECT_EQ(integrity_check(db), "ok");
  const auto again = run_vitdse(search(data, db, dir.path() / "run", 4));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(evaluation_keys(db).size(), 4u);
}

TEST(RunDirectoryFaults, AFullDiskFailsInOneLineAndTheNextRunRewritesTheDirectory) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto data = small_data(dir);
  FullDisk disk(dir.path() / "disk");
  const auto db = dir.path() / "s.sqlite";
  const auto out = disk.path() / "run";
  ASSERT_EQ(run_vitdse(search(data, db, out, 3)).code, 0);
  std::map<std::string, std::string> before;
  for (const char* f : {"run.yaml", "pareto.csv", "all.csv", "hv.csv", "log.txt"}) before[f] = read_file(out / f);
  disk.fill(0, 1);
  const auto failed = run_vitdse(search(data, db, out, 6), disk.fault());
  expect_full_disk_failure(failed, disk, out.string());
  // Every file is whole: the one of the last complete run.
  for (const auto& [f, text] : before) EXPECT_EQ(read_file(out / f), text) << f;
  EXPECT_EQ(temporaries(out), std::vector<std::string>{});
  disk.free();
  const auto again = run_vitdse(search(data, db, out, 6));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(split(read_file(out / "all.csv"), '\n').size(), 1u + 6 + 1);  // header, rows, the final newline
  EXPECT_EQ(read_file(out / "log.txt").rfind(before["log.txt"], 0), 0u) << "the log lost lines";
  EXPECT_EQ(temporaries(out), std::vector<std::string>{});
}

TEST(RunDirectoryFaults, AReadOnlyRunDirectoryFailsInOneLine) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto data = small_data(dir);
  ReadOnlyDir ro(dir.path() / "ro");
  const auto out = ro.path() / "run";
  ASSERT_EQ(run_vitdse(search(data, dir.path() / "s.sqlite", out, 2)).code, 0);
  const std::string front = read_file(out / "pareto.csv");
  ro.make_read_only();
  if (!ro.blocks_writes()) GTEST_SKIP() << "no way here to make a directory read-only to a child running as root";
  expect_one_line_failure(run_vitdse(search(data, dir.path() / "s.sqlite", out, 4), ro.fault()), out.string(),
                          ro.reason());
  EXPECT_EQ(read_file(out / "pareto.csv"), front);
  ro.make_writable();
  ASSERT_EQ(run_vitdse(search(data, dir.path() / "s.sqlite", out, 4)).code, 0);
}

TEST(WeightsFaults, AFullDiskFailsTrainingInOneLineAndKeepsTheLastWeightsAndCheckpoint) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto data = small_data(dir);
  FullDisk disk(dir.path() / "disk");
  const auto weights = disk.path() / "w.safetensors";
  ASSERT_EQ(run_vitdse(train(data, weights)).code, 0);
  const std::string written = read_file(weights), checkpoint = read_file(disk.path() / "w.safetensors.ckpt");
  disk.fill(0, 4096);
  // --resume after the last epoch trains nothing and writes the weights and card again.
  const auto failed = run_vitdse(train(data, weights), disk.fault());
  expect_full_disk_failure(failed, disk, disk.path().string());
  disk.free();
  EXPECT_EQ(read_file(weights), written);
  EXPECT_EQ(read_file(disk.path() / "w.safetensors.ckpt"), checkpoint);
  EXPECT_NO_THROW(eval::load_vit_weights(model::load_model_card((disk.path() / "w.yaml").string())));
  EXPECT_EQ(temporaries(disk.path()), std::vector<std::string>{});
  const auto again = run_vitdse(train(data, weights));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(read_file(weights), written);  // the same run, resumed, writes the same bytes
}

TEST(WeightsFaults, AReadOnlyDirectoryFailsTrainingInOneLine) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto data = small_data(dir);
  ReadOnlyDir ro(dir.path() / "ro");
  ro.make_read_only();
  if (!ro.blocks_writes()) GTEST_SKIP() << "no way here to make a directory read-only to a child running as root";
  const auto weights = ro.path() / "w.safetensors";
  expect_one_line_failure(run_vitdse(train(data, weights), ro.fault()), weights.string(), ro.reason());
  // A directory that does not exist cannot be created there either.
  const auto deeper = ro.path() / "sub" / "w.safetensors";
  expect_one_line_failure(run_vitdse(train(data, deeper), ro.fault()), deeper.string(), ro.reason());
  ro.make_writable();
  ASSERT_EQ(run_vitdse(train(data, weights)).code, 0);
  EXPECT_NO_THROW(model::SafetensorsFile{weights});
}

TEST(ResultFileFaults, ParetoAndCompareOnAFullDiskFailInOneLineAndKeepTheirFiles) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto data = small_data(dir);
  FullDisk disk(dir.path() / "disk");
  const auto db = dir.path() / "s.sqlite";
  ASSERT_EQ(run_vitdse(search(data, db, dir.path() / "run", 3)).code, 0);
  const auto csv = disk.path() / "front.csv";
  const std::vector<std::string> pareto{"pareto", "--db", db.string(), "--csv", csv.string()};
  ASSERT_EQ(run_vitdse(pareto).code, 0);
  const std::string front = read_file(csv);
  const auto cmp = disk.path() / "cmp";
  const std::vector<std::string> compare{"-q",       "compare",
                                         "--budget", "3",
                                         "--seeds",  "1",
                                         "--algos",  "random",
                                         "--images", std::to_string(kFaultImages),
                                         "--db",     (dir.path() / "c.sqlite").string(),
                                         "--out",    cmp.string(),
                                         "--data",   data};
  ASSERT_EQ(run_vitdse(compare).code, 0);
  const std::string summary = read_file(cmp / "summary.csv");
  disk.fill(0, 1);
  expect_full_disk_failure(run_vitdse(pareto, disk.fault()), disk, csv.string());
  EXPECT_TRUE(read_file(csv) == front) << "the exported front changed";
  const auto failed = run_vitdse(compare, disk.fault());
  expect_full_disk_failure(failed, disk, cmp.string());
  EXPECT_TRUE(read_file(cmp / "summary.csv") == summary) << "the summary changed";
  disk.free();
  ASSERT_EQ(run_vitdse(pareto).code, 0);
  EXPECT_TRUE(read_file(csv) == front) << "the exported front changed";
  ASSERT_EQ(run_vitdse(compare).code, 0);
  EXPECT_TRUE(read_file(cmp / "summary.csv") == summary) << "the summary changed";
  EXPECT_EQ(temporaries(disk.path()), std::vector<std::string>{});
}

TEST(ResultFileFaults, AReproductionReportOnAFullDiskFailsInOneLineAndKeepsTheLastReport) {
  report::PaperReport paper;
  paper.title = "a paper";
  report::Table table({{"design", "design"}, {"value", "value"}});
  table.add({std::string("a"), 1.5});
  paper.tables.push_back({"values", "Values", "measured", table, {}});
  const TempDir dir;
  FullDisk disk(dir.path() / "disk");
  const auto out = disk.path() / "paper";
  const auto files = report::write_paper_report(paper, out, "vitdse reproduce");
  std::map<std::filesystem::path, std::string> before;
  for (const auto& f : files) before[f] = read_file(f);
  disk.fill(0, 16);
  paper.tables[0].table.add({std::string("b"), 2.5});
  paper.summary = std::string(64 << 10, 's');  // more than the disk has left
  try {
    const auto limit = disk.limit_this_process();
    (void)report::write_paper_report(paper, out, "vitdse reproduce");
    ADD_FAILURE() << "writing to a full disk succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(out.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(disk.reason()), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
  for (const auto& [f, text] : before) EXPECT_EQ(read_file(f), text) << f << " was damaged";
  EXPECT_EQ(temporaries(out), std::vector<std::string>{});
}

}  // namespace
}  // namespace vitdse::test

// AtomicFile and AppendFile: whole files or none, on a full disk one-line errors naming the file,
// no temporaries left behind, and the leftovers of killed writers cleaned up.
#include "vitdse/core/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "process_util.hpp"
#include "test_util.hpp"
#include "vitdse/core/append_file.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::test {
namespace {

std::vector<std::string> names(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AtomicFile, ReplacesTheFileWholeAndLeavesNoTemporary) {
  const TempDir dir;
  const auto target = dir.path() / "front.csv";
  write_file_atomically(target, "old\n");
  {
    AtomicFile file(target);
    file.write("new,");
    file.write("rows\n");
    EXPECT_EQ(read_file(target), "old\n");  // a reader sees the old file until the commit
    file.commit();
  }
  EXPECT_EQ(read_file(target), "new,rows\n");
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{"front.csv"});
  {
    AtomicFile abandoned(target);  // an exception between writes: no commit
    abandoned.write("half");
  }
  EXPECT_EQ(read_file(target), "new,rows\n");
  EXPECT_EQ(names(dir.path()), std::vector<std::string>{"front.csv"});
}

TEST(AtomicFile, AFullDiskIsAOneLineErrorAndKeepsTheOldFile) {
  const TempDir dir;
  FullDisk disk(dir.path() / "disk");
  const auto target = disk.path() / "w.safetensors";
  write_file_atomically(target, "old");
  disk.fill(0, 4096);
  try {
    const auto limit = disk.limit_this_process();
    write_file_atomically(target, std::string(1 << 20, 'x'));
    FAIL() << "a write larger than the free space succeeded";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(target.string()), std::string::npos) << message;
    EXPECT_NE(message.find(disk.reason()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_EQ(read_file(target), "old");
  auto left = names(target.parent_path());
  std::erase(left, "filler");
  EXPECT_EQ(left, std::vector<std::string>{"w.safetensors"}) << "a temporary was left behind";
}

TEST(AtomicFile, TemporariesOfAKilledWriterAreRemovedAndThoseOfALiveOneKept) {
  const TempDir dir;
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string stale = "all.csv.tmp-" + std::to_string(dead) + "-0";
  const std::string live = "all.csv.tmp-" + std::to_string(getppid()) + "-3";  // a process that is running
  (void)dir.write(stale, "half");
  (void)dir.write(live, "in progress");
  (void)dir.write("other.csv.tmp-" + std::to_string(dead) + "-0", "another file's");
  write_file_atomically(dir.path() / "all.csv", "rows\n");
  const auto left = names(dir.path());
  EXPECT_EQ(std::count(left.begin(), left.end(), stale), 0);
  EXPECT_EQ(std::count(left.begin(), left.end(), live), 1);
  EXPECT_EQ(left.size(), 3u);
}

TEST(AtomicFile, WritesDevicesInPlaceAndFilesBehindLinks) {
  write_file_atomically("/dev/null", "discarded");
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  const TempDir dir;
  const auto real = dir.path() / "real.yaml";
  write_file_atomically(real, "a");
  std::filesystem::create_symlink(real, dir.path() / "link.yaml");
  write_file_atomically(dir.path() / "link.yaml", "b");
  EXPECT_TRUE(std::filesystem::is_symlink(dir.path() / "link.yaml"));
  EXPECT_EQ(read_file(real), "b");
  EXPECT_THROW(write_file_atomically(dir.path(), "x"), Error);  // a directory is not replaced
  EXPECT_THROW(write_file_atomically(dir.path() / "no/such/dir/f", "x"), Error);
}

TEST(AppendFile, AppendsAndReportsAFullDisk) {
  const TempDir dir;
  FullDisk disk(dir.path() / "disk");
  const auto path = disk.path() / "log.txt";
  {
    AppendFile log(path);
    log.append("one\n");
  }
  AppendFile log(path);
  log.append("two\n");
  EXPECT_EQ(read_file(path), "one\ntwo\n");
  disk.fill(0, 8);
  try {
    const auto limit = disk.limit_this_process();
    log.append(std::string(1 << 20, 'x'));
    FAIL() << "an append larger than the free space succeeded";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path.string() + ": cannot write: " + disk.reason()), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace vitdse::test

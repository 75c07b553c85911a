// Child processes of the vitdse binary, and the faults they run under (see process_util.hpp).
#include "process_util.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/store/database.hpp"

extern char** environ;

namespace vitdse::test {

std::vector<std::string> search_args(int budget, int images, const std::filesystem::path& db,
                                     const std::filesystem::path& out, const std::string& data,
                                     const std::vector<std::string>& extra, int final_images) {
  std::vector<std::string> a{"-q",
                             "search",
                             "--budget",
                             std::to_string(budget),
                             "--images",
                             std::to_string(images),
                             "--db",
                             db.string(),
                             "--out",
                             out.string(),
                             "--data",
                             data,
                             "--final-images",
                             std::to_string(final_images)};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

namespace {

/// fork + exec of `program`; between the two only async-signal-safe calls, since the test process
/// may have threads.
/// `err_fd` becomes the child's stderr (-1: inherited); the caller closes it.
pid_t spawn_program(const std::string& program, const std::vector<std::string>& args, const ChildFault& fault,
                    int err_fd) {
  std::vector<std::string> all{program};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);  // the run's summary would clutter the test log
    if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
    if (fault.own_process_group) ::setpgid(0, 0);
    if (fault.file_size_limit >= 0) {
      ::signal(SIGXFSZ, SIG_IGN);  // stays ignored across exec, so a write fails with EFBIG instead
      const rlimit limit{static_cast<rlim_t>(fault.file_size_limit), static_cast<rlim_t>(fault.file_size_limit)};
      ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    if (fault.obey_file_modes) {
      // Without these in the bounding set, root's capabilities after exec lack them too.
      ::prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0);
      ::prctl(PR_CAPBSET_DROP, CAP_FOWNER, 0, 0, 0);
    }
    ::execve(program.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  EXPECT_GT(pid, 0) << "fork failed";
  return pid;
}

/// Opens the database read-only, so that checking it changes nothing.
sqlite3* open_read_only(const std::filesystem::path& db) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(handle);
    sqlite3_close(handle);
    throw std::runtime_error(db.string() + ": " + message);
  }
  sqlite3_busy_timeout(handle, 10000);
  return handle;
}

std::vector<std::string> query_texts(const std::filesystem::path& db, const char* sql) {
  sqlite3* handle = open_read_only(db);
  sqlite3_stmt* st = nullptr;
  std::vector<std::string> out;
  if (sqlite3_prepare_v2(handle, sql, -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  } else {
    out.push_back(std::string("error: ") + sqlite3_errmsg(handle));
  }
  sqlite3_finalize(st);
  sqlite3_close(handle);
  return out;
}

/// A private mount namespace for this process's thread, once; false where unsharing is not permitted.
bool private_mounts() {
  static const bool ok = [] {
    // VITDSE_TEST_NO_MOUNT=1 exercises the fallbacks where mounting works.
    if (const char* no = std::getenv("VITDSE_TEST_NO_MOUNT"); no != nullptr && std::string(no) == "1") return false;
    if (::unshare(CLONE_NEWNS) != 0) return false;
    // Mounts made here must not propagate back to the host's namespace.
    return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
  }();
  return ok;
}

void set_modes(const std::filesystem::path& dir, bool writable) {
  namespace fs = std::filesystem;
  const auto dirs = writable ? fs::perms(0755) : fs::perms(0555);
  const auto files = writable ? fs::perms(0644) : fs::perms(0444);
  for (const auto& e : fs::recursive_directory_iterator(dir))
    fs::permissions(e.path(), e.is_directory() ? dirs : files);
  fs::permissions(dir, dirs);
}

}  // namespace

pid_t spawn_vitdse(const std::vector<std::string>& args, const ChildFault& fault,
                   const std::filesystem::path& stderr_file) {
  const int err_fd =
      stderr_file.empty() ? -1 : ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = spawn_program(vitdse_binary(), args, fault, err_fd);
  if (err_fd >= 0) ::close(err_fd);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool still_running(pid_t pid, int& exit_code) {
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) != pid) return true;
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

ProcessResult run_program(const std::string& program, const std::vector<std::string>& args, const ChildFault& fault) {
  // A pipe, not a file: a file-size limit on the child must not cut its error message.
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  const pid_t pid = spawn_program(program, args, fault, fds[1]);
  ::close(fds[1]);
  ProcessResult r;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    r.err.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  r.code = wait_exit(pid);
  return r;
}

std::vector<std::string> mpirun_options() {
  // Set here too, so that a test run outside ctest (which sets them) also works as root.
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  std::vector<std::string> all{"--oversubscribe", "--quiet"};
  if (kSanitized) {
    // Open MPI's plugins are unloaded at MPI_Finalize, so their allocations reach LeakSanitizer
    // from unknown modules that no suppression can name; every other check stays on.
    all.insert(all.end(), {"-x", "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1"});
  }
  return all;
}

namespace {

std::vector<std::string> mpirun_args(int ranks, const std::vector<std::string>& args) {
  auto all = mpirun_options();
  all.insert(all.end(), {"-n", std::to_string(ranks), vitdse_binary()});
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

}  // namespace

ProcessResult run_vitdse(const std::vector<std::string>& args, const ChildFault& fault) {
  return run_program(vitdse_binary(), args, fault);
}

std::filesystem::path mpirun_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path == nullptr ? "" : path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir) / "mpirun";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

pid_t spawn_mpirun(int ranks, const std::vector<std::string>& args, const ChildFault& fault,
                   const std::filesystem::path& stderr_file) {
  const int err_fd =
      stderr_file.empty() ? -1 : ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const pid_t pid = spawn_program(mpirun_path().string(), mpirun_args(ranks, args), fault, err_fd);
  if (err_fd >= 0) ::close(err_fd);
  return pid;
}

ProcessResult run_mpirun(int ranks, const std::vector<std::string>& args) {
  return run_program(mpirun_path().string(), mpirun_args(ranks, args), {});
}

void wait_for_evaluations(const std::filesystem::path& db, std::int64_t n, pid_t pid) {
  for (int i = 0; i < 6000; ++i) {
    if (std::filesystem::exists(db)) {
      try {
        if (store::Database(db).evaluation_count() >= n) return;
      } catch (const Error&) {  // the schema may not exist yet
      }
    }
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string integrity_check(const std::filesystem::path& db) {
  return join(query_texts(db, "PRAGMA integrity_check"), "; ");
}

std::vector<std::string> evaluation_keys(const std::filesystem::path& db) {
  return query_texts(db, "SELECT key FROM evaluations ORDER BY key");
}

FileSizeLimit::FileSizeLimit(std::int64_t bytes) {
  rlimit limit{};
  ::getrlimit(RLIMIT_FSIZE, &limit);
  soft_ = static_cast<std::int64_t>(limit.rlim_cur);
  previous_ = ::signal(SIGXFSZ, SIG_IGN);
  limit.rlim_cur = static_cast<rlim_t>(bytes);
  EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
}

FileSizeLimit::~FileSizeLimit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_FSIZE, &limit);
  limit.rlim_cur = static_cast<rlim_t>(soft_);
  ::setrlimit(RLIMIT_FSIZE, &limit);
  ::signal(SIGXFSZ, previous_);
}

std::unique_ptr<Tmpfs> Tmpfs::mount(const std::filesystem::path& dir, std::size_t bytes) {
  if (!private_mounts()) return nullptr;
  std::filesystem::create_directories(dir);
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) return nullptr;
  return std::unique_ptr<Tmpfs>(new Tmpfs(dir, bytes));
}

Tmpfs::~Tmpfs() { ::umount2(dir_.c_str(), MNT_DETACH); }

void Tmpfs::set_read_only(bool read_only) {
  const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
  const std::string options = "size=" + std::to_string(bytes_);
  if (::mount(nullptr, dir_.c_str(), nullptr, flags, options.c_str()) != 0) {
    ADD_FAILURE() << "remounting " << dir_ << (read_only ? " read-only" : " writable") << " failed: " << errno;
  }
}

void Tmpfs::fill(std::size_t leave) {
  const int fd = ::open((dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  const std::string block(4096, 'f');
  std::size_t written = 0;
  while (::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size())) written += block.size();
  ::close(fd);
  // Give back `leave` bytes (whole pages, which is what tmpfs counts).
  if (leave > 0) {
    const auto kept = static_cast<off_t>(written - std::min(written, leave));
    ASSERT_EQ(::truncate((dir_ / "filler").c_str(), kept), 0);
  }
}

void Tmpfs::unfill() { std::filesystem::remove(dir_ / "filler"); }

FullDisk::FullDisk(const std::filesystem::path& dir, std::size_t bytes) : dir_(dir) {
  tmpfs_ = Tmpfs::mount(dir, bytes);
  if (!tmpfs_) std::filesystem::create_directories(dir);
}

void FullDisk::fill(std::size_t leave, std::int64_t limit) {
  if (tmpfs_) {
    tmpfs_->fill(leave);
  } else {
    limit_ = limit;
  }
}

void FullDisk::free() {
  if (tmpfs_) tmpfs_->unfill();
  limit_ = -1;
}

ChildFault FullDisk::fault() const {
  ChildFault f;
  f.file_size_limit = limit_;
  return f;
}

std::unique_ptr<FileSizeLimit> FullDisk::limit_this_process() const {
  return limit_ >= 0 ? std::make_unique<FileSizeLimit>(limit_) : nullptr;
}

std::string FullDisk::reason() const { return std::strerror(tmpfs_ ? ENOSPC : EFBIG); }

ReadOnlyDir::ReadOnlyDir(const std::filesystem::path& dir) : dir_(dir) {
  tmpfs_ = Tmpfs::mount(dir, 64 << 20);
  if (!tmpfs_) {
    std::filesystem::create_directories(dir);
    fault_.obey_file_modes = true;
  }
}

ReadOnlyDir::~ReadOnlyDir() {
  if (!tmpfs_) set_modes(dir_, true);
}

std::string ReadOnlyDir::reason() const { return std::strerror(tmpfs_ ? EROFS : EACCES); }

bool ReadOnlyDir::blocks_writes() const {
  const auto probe = dir_ / "probe";
  const bool blocked =
      wait_exit(spawn_program("/bin/sh", {"-c", "echo x 2>/dev/null > '" + probe.string() + "'"}, fault_, -1)) != 0;
  std::error_code ec;
  std::filesystem::remove(probe, ec);
  return blocked;
}

void ReadOnlyDir::make_read_only() {
  if (tmpfs_) {
    tmpfs_->set_read_only(true);
  } else {
    set_modes(dir_, false);
  }
}

void ReadOnlyDir::make_writable() {
  if (tmpfs_) {
    tmpfs_->set_read_only(false);
  } else {
    set_modes(dir_, true);
  }
}

bool includes_all(std::vector<std::string> all, std::vector<std::string> some) {
  std::sort(all.begin(), all.end());
  std::sort(some.begin(), some.end());
  return std::includes(all.begin(), all.end(), some.begin(), some.end());
}

}  // namespace vitdse::test

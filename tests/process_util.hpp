// Helpers for tests that run the vitdse binary as a process: spawning, waiting, killing, and the
// faults a child can be put under (a full disk, a read-only directory).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace vitdse::test {

/// The arguments of a quiet `vitdse search` of `budget` designs, each scored on `images` images
/// of `data`, into the cache `db` and the run directory `out`, the front re-scored on
/// `final_images` images (none by default); `extra` (more options) goes last.
std::vector<std::string> search_args(int budget, int images, const std::filesystem::path& db,
                                     const std::filesystem::path& out, const std::string& data,
                                     const std::vector<std::string>& extra = {}, int final_images = 0);

/// Limits a child runs under, set between fork and exec.
struct ChildFault {
  /// RLIMIT_FSIZE in bytes, with SIGXFSZ ignored: a write past it fails with EFBIG, as on a full disk.
  std::int64_t file_size_limit = -1;
  /// Drops CAP_DAC_OVERRIDE from the capability bounding set before exec, so that even root obeys
  /// file modes (a directory of mode 0555 is then read-only to the child).
  bool obey_file_modes = false;
  /// A process group of its own, so that a signal to the group (kill(-pid, ...)) reaches the
  /// child's children too, as a terminal's Ctrl-C does.
  bool own_process_group = false;
};

/// Starts the vitdse binary with `args` (stdout to /dev/null; stderr to `stderr_file` when given,
/// else inherited); returns its pid.
pid_t spawn_vitdse(const std::vector<std::string>& args, const ChildFault& fault = {},
                   const std::filesystem::path& stderr_file = {});

/// Waits for `pid`: its exit status, or 128 + the signal that ended it.
int wait_exit(pid_t pid);

/// True while `pid` has not ended (it is reaped if it has; wait_exit must then not be called).
bool still_running(pid_t pid, int& exit_code);

struct ProcessResult {
  int code = 0;
  std::string err;  ///< everything written to stderr
};

/// Runs the vitdse binary to completion.
ProcessResult run_vitdse(const std::vector<std::string>& args, const ChildFault& fault = {});

/// Runs `program` with `args` to completion.
ProcessResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const ChildFault& fault = {});

/// The mpirun on the PATH, or empty where there is none.
std::filesystem::path mpirun_path();
/// `mpirun -n ranks` of the vitdse binary with `args` (oversubscribed, as root where the tests
/// run as root, without mpirun's own banners); under the sanitizers the ranks run without leak
/// checks, which Open MPI's unloaded plugins defeat.
pid_t spawn_mpirun(int ranks, const std::vector<std::string>& args, const ChildFault& fault = {},
                   const std::filesystem::path& stderr_file = {});
ProcessResult run_mpirun(int ranks, const std::vector<std::string>& args);
/// The arguments of run_mpirun before the program's: the options every test's mpirun needs.
std::vector<std::string> mpirun_options();

/// Waits until the database holds at least `n` evaluations (or the process has ended).
void wait_for_evaluations(const std::filesystem::path& db, std::int64_t n, pid_t pid);

/// `PRAGMA integrity_check`'s answer ("ok" for a sound file), read without writing to it.
std::string integrity_check(const std::filesystem::path& db);

/// The keys of every committed evaluation in the database.
std::vector<std::string> evaluation_keys(const std::filesystem::path& db);

/// True when every string of `some` is also in `all`.
bool includes_all(std::vector<std::string> all, std::vector<std::string> some);

/// RLIMIT_FSIZE on this process while alive (SIGXFSZ ignored), for in-process writers where no
/// tmpfs can be mounted: a write past `bytes` fails with EFBIG.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::int64_t bytes);
  ~FileSizeLimit();
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  std::int64_t soft_ = 0;
  void (*previous_)(int) = nullptr;
};

/// A small tmpfs mounted on a directory, in a mount namespace private to this test process (so it
/// vanishes with the process whatever happens). Only the calling thread and the children it
/// forks see it, so tests write to it through the vitdse binary. mount() returns null where
/// mounting is not permitted (or VITDSE_TEST_NO_MOUNT=1); callers then fall back on ChildFault.
class Tmpfs {
 public:
  static std::unique_ptr<Tmpfs> mount(const std::filesystem::path& dir, std::size_t bytes);
  ~Tmpfs();
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return dir_; }
  /// Makes the file system read-only or writable again.
  void set_read_only(bool read_only);
  /// Fills the free space with a file (leaving `leave` bytes), so that the next writes fail with ENOSPC.
  void fill(std::size_t leave = 0);
  /// Removes the filler, freeing the space again.
  void unfill();

 private:
  Tmpfs(std::filesystem::path dir, std::size_t bytes) : dir_(std::move(dir)), bytes_(bytes) {}
  std::filesystem::path dir_;
  std::size_t bytes_;
};

/// A directory whose writes can be made to fail as on a full disk: a small tmpfs where mounting is
/// permitted (ENOSPC), else a plain directory and a file-size limit (EFBIG) on the children
/// (fault()) or on this process (limit_this_process()).
class FullDisk {
 public:
  explicit FullDisk(const std::filesystem::path& dir, std::size_t bytes = 16 << 20);
  [[nodiscard]] const std::filesystem::path& path() const { return dir_; }
  [[nodiscard]] bool mounted() const { return tmpfs_ != nullptr; }
  /// Takes the free space away but `leave` bytes; without a tmpfs, no file may grow past `limit` bytes.
  void fill(std::size_t leave, std::int64_t limit);
  /// Gives the space back.
  void free();
  [[nodiscard]] ChildFault fault() const;
  /// The file-size limit on this process, while filled without a tmpfs (null otherwise).
  [[nodiscard]] std::unique_ptr<FileSizeLimit> limit_this_process() const;
  /// The system's message a failed write reports ("No space left on device" or "File too large").
  [[nodiscard]] std::string reason() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Tmpfs> tmpfs_;
  std::int64_t limit_ = -1;
};

/// A directory the children cannot write to: a read-only tmpfs where mounting is permitted, else a
/// directory of mode 0555 with children that obey file modes (ChildFault::obey_file_modes).
class ReadOnlyDir {
 public:
  explicit ReadOnlyDir(const std::filesystem::path& dir);
  ~ReadOnlyDir();
  [[nodiscard]] const std::filesystem::path& path() const { return dir_; }
  /// The fault the children must run under for the directory to be read-only to them.
  [[nodiscard]] ChildFault fault() const { return fault_; }
  /// Makes the directory writable again (to check that the next run completes).
  void make_writable();
  void make_read_only();
  /// Whether a child under fault() really cannot create a file there (checked with a shell).
  [[nodiscard]] bool blocks_writes() const;
  /// The system's message for a write refused there ("Read-only file system" or "Permission denied").
  [[nodiscard]] std::string reason() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Tmpfs> tmpfs_;
  ChildFault fault_;
};

}  // namespace vitdse::test

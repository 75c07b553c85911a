// AtomicFile: a temporary beside the target, synced and renamed over it; leftovers of killed writers removed.
#include "vitdse/core/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <system_error>

#include "file_io_detail.hpp"

namespace vitdse {

namespace {

constexpr std::string_view kMarker = ".tmp-";

/// `<name>.tmp-<pid>-<n>`: unique within the process (n) and between processes (pid), and the pid
/// tells remove_stale_temporaries whether its writer is still alive.
std::filesystem::path temporary_beside(const std::filesystem::path& target) {
  static std::atomic<unsigned> counter{0};
  auto name = target.filename().string();
  name += kMarker;
  name += std::to_string(::getpid()) + "-" + std::to_string(counter++);
  return target.parent_path() / name;
}

/// The directory entry for the rename is durable only once the directory itself is synced.
void sync_directory(const std::filesystem::path& dir, const std::filesystem::path& shown) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw detail::os_error(shown, "sync its directory", errno);
  // Some file systems cannot sync a directory (EINVAL); the rename itself has then happened.
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) throw detail::os_error(shown, "sync its directory", err);
}

/// Removes the temporaries of `target` whose writer was killed (its pid no longer exists).
void remove_stale_temporaries(const std::filesystem::path& target) {
  const std::string prefix = target.filename().string() + std::string(kMarker);
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(target.parent_path().empty() ? "." : target.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == std::string::npos || dash == 0) continue;
    if (rest.find_first_not_of("0123456789-") != std::string::npos) continue;
    const long pid = std::stol(rest.substr(0, dash));
    // kill(pid, 0) fails with ESRCH only when no such process exists.
    if (pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

}  // namespace

AtomicFile::AtomicFile(const std::filesystem::path& target) : shown_(target), target_(target) {
  std::error_code ec;
  const auto status = std::filesystem::status(target, ec);  // follows links
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    if (std::filesystem::is_directory(status)) throw Error(shown_.string() + ": is a directory, not a file");
    fd_ = ::open(target.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);  // a pipe or device cannot be replaced
    if (fd_ < 0) throw detail::os_error(shown_, "open for writing", errno);
    return;
  }
  // Replace the file a link points to, not the link.
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(target, ec))) {
    target_ = std::filesystem::weakly_canonical(target, ec);
    if (ec) throw Error(shown_.string() + ": cannot resolve the link: " + ec.message());
  }
  remove_stale_temporaries(target_);
  temporary_ = temporary_beside(target_);
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) throw detail::os_error(shown_, "open for writing", errno);
}

AtomicFile::~AtomicFile() { discard(); }

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

void AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) throw Error(shown_.string() + ": write after the file was committed or failed");
  try {
    detail::write_all(fd_, bytes, shown_);
  } catch (...) {
    discard();
    throw;
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw Error(shown_.string() + ": committed twice or after a failure");
  const auto fail = [&](const std::string& task, int err) {
    discard();
    throw detail::os_error(shown_, task, err);
  };
  // A device or pipe cannot be synced (EINVAL); a file system that loses data reports EIO here.
  if (::fsync(fd_) != 0 && !(temporary_.empty() && errno == EINVAL)) fail("write (sync)", errno);
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) fail("write (close)", errno);
  if (temporary_.empty()) return;
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("replace it", errno);
  temporary_.clear();
  sync_directory(target_.parent_path(), shown_);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

}  // namespace vitdse

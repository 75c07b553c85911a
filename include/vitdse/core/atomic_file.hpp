// Files written whole or not at all: a temporary file beside the target, synced, then renamed over it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace vitdse {

/// Writes a file so that a reader, a crash or a full disk never leaves it half written: the bytes
/// go to `<target>.tmp-<pid>-<n>` in the target's directory, and commit() syncs that file, renames it
/// over the target and syncs the directory. Every failed call (ENOSPC, EFBIG, EROFS, ...) throws an
/// Error of one line naming the target and the system's reason; the temporary is then removed and
/// the target left as it was. Without commit() the destructor removes the temporary, and the
/// temporaries of the target's earlier writers that were killed are removed on opening. A target
/// that exists and is not a regular file (a pipe, /dev/stdout) is written in place.
///
///     AtomicFile file("runs/x/pareto.csv");
///     file.write(header);
///     file.write(rows);
///     file.commit();
class AtomicFile {
 public:
  explicit AtomicFile(const std::filesystem::path& target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  void commit();

 private:
  void discard() noexcept;

  std::filesystem::path shown_;      ///< the path as the caller named it, for messages
  std::filesystem::path target_;     ///< where the file ends up (a symbolic link resolved)
  std::filesystem::path temporary_;  ///< empty when writing in place
  int fd_ = -1;
};

/// The whole of `bytes` as the file `path`, through AtomicFile.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace vitdse

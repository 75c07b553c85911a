// An append-only log file whose every failed write is reported.
#pragma once

#include <filesystem>
#include <string_view>

namespace vitdse {

/// A file opened for appending (created if missing). Each append() is one write(2) of the whole
/// text, so a crash loses at most the line being written; a failed or short write throws an Error
/// naming the file and the system's reason, so a full disk never silently truncates the log.
///
///     AppendFile log("runs/x/log.txt");
///     log.append("12:00:00 start\n");
class AppendFile {
 public:
  explicit AppendFile(const std::filesystem::path& path);
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  void append(std::string_view text);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace vitdse

// POSIX file writing shared by AtomicFile and AppendFile: whole writes and errors that name the file.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include <unistd.h>

#include "vitdse/core/error.hpp"

namespace vitdse::detail {

/// An Error "<file>: cannot <task>: <strerror(err)>".
inline Error os_error(const std::filesystem::path& file, const std::string& task, int err) {
  return Error(file.string() + ": cannot " + task + ": " + std::strerror(err));
}

/// Writes all of `bytes` to `fd`, resuming after signals and short writes; throws os_error naming `file`.
inline void write_all(int fd, std::string_view bytes, const std::filesystem::path& file) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    // A write that stores nothing without an error code would loop forever; call it a full disk.
    if (n <= 0) throw os_error(file, "write", n < 0 ? errno : ENOSPC);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace vitdse::detail

// Sequential reading of dataset files through zlib, which reads gzip and raw files alike.
#include "dataset_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

namespace vitdse::eval::detail {

namespace fs = std::filesystem;

namespace {

/// Deflate expands at most about 1032:1; the slack covers the gzip header and trailer.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
constexpr std::uint64_t kGzipOverhead = 1024;

}  // namespace

InputFile::InputFile(fs::path path) : path_(std::move(path)) {
  std::error_code ec;
  if (!fs::is_regular_file(path_, ec)) {
    throw error(fs::exists(path_, ec) ? "not a regular file" : "no such file");
  }
  file_size_ = fs::file_size(path_, ec);
  if (ec) throw error("cannot determine the file size (" + ec.message() + ")");
  file_ = gzopen(path_.c_str(), "rb");
  if (file_ == nullptr) throw error(std::string("cannot open (") + std::strerror(errno) + ")");
  gzbuffer(file_, 1U << 17);  // before the first read; larger reads cost fewer syscalls
  compressed_ = gzdirect(file_) == 0;
}

InputFile::~InputFile() {
  if (file_ != nullptr) gzclose_r(file_);
}

std::uint64_t InputFile::max_content_bytes() const {
  return compressed_ ? file_size_ * kMaxDeflateRatio + kGzipOverhead : file_size_;
}

Error InputFile::error(const std::string& message) const { return Error(path_.string() + ": " + message); }

std::size_t InputFile::read_up_to(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const auto want = static_cast<unsigned>(std::min<std::size_t>(out.size() - done, INT_MAX));
    const int got = gzread(file_, out.data() + done, want);
    if (got > 0) done += static_cast<std::size_t>(got);
    if (got < 0 || static_cast<unsigned>(got) < want) {
      int code = Z_OK;
      const char* message = gzerror(file_, &code);
      if (code == Z_BUF_ERROR) throw error("truncated gzip stream (unexpected end of file)");
      if (code == Z_ERRNO) throw error(std::string("read failed (") + std::strerror(errno) + ")");
      if (code != Z_OK) {
        // zlib prefixes its message with the path, which error() already gives.
        std::string reason = message;
        const std::string prefix = path_.string() + ": ";
        if (reason.starts_with(prefix)) reason.erase(0, prefix.size());
        throw error("corrupt gzip data (" + reason + ")");
      }
      break;
    }
  }
  offset_ += done;
  return done;
}

void InputFile::read_exact(std::span<std::uint8_t> out, const std::string& what) {
  const std::uint64_t start = offset_;
  const std::size_t got = read_up_to(out);
  if (got < out.size()) {
    throw error("truncated: the file ends at byte " + std::to_string(start + got) + " while reading " + what +
                " (bytes " + std::to_string(start) + ".." + std::to_string(start + out.size()) + ")");
  }
}

bool InputFile::at_end() {
  std::uint8_t byte = 0;
  return read_up_to(std::span<std::uint8_t>(&byte, 1)) == 0;
}

fs::path find_maybe_gzipped(const fs::path& directory, const std::string& name) {
  std::error_code ec;
  for (const auto& candidate : {directory / name, directory / (name + ".gz")}) {
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return {};
}

}  // namespace vitdse::eval::detail

// Internal: sequential reading of dataset files, raw or gzip-compressed, with errors that name the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "vitdse/core/error.hpp"

struct gzFile_s;

namespace vitdse::eval::detail {

/// The longest image side any loader accepts: larger headers are corrupt, not images.
inline constexpr std::int64_t kMaxImageSide = 1 << 16;

/// A file read front to back through zlib, which passes files that are not gzip through
/// unchanged, so every loader accepts both `x` and a gzipped copy of it.
///
///     InputFile f(dir / "t10k-labels-idx1-ubyte.gz");
///     std::array<std::uint8_t, 8> header;
///     f.read_exact(header, "the header");
class InputFile {
 public:
  /// Opens `path`; a missing or unreadable file throws.
  explicit InputFile(std::filesystem::path path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// True if the file is gzip-compressed.
  [[nodiscard]] bool compressed() const { return compressed_; }
  /// The most bytes the file can deliver: its size if raw; if gzip, the most that deflate can
  /// expand it to (about 1032:1). A header declaring more is corrupt, so loaders check against
  /// this before allocating.
  [[nodiscard]] std::uint64_t max_content_bytes() const;
  /// Bytes delivered so far.
  [[nodiscard]] std::uint64_t offset() const { return offset_; }

  /// Fills `out`, or throws "<file>: truncated ..." naming `what` was being read.
  void read_exact(std::span<std::uint8_t> out, const std::string& what);
  /// Reads up to out.size() bytes and returns how many; fewer only at the end of the file.
  std::size_t read_up_to(std::span<std::uint8_t> out);
  /// True if nothing follows (reads ahead one byte, so call it last).
  bool at_end();

  /// An Error "<file>: <message>".
  [[nodiscard]] Error error(const std::string& message) const;

 private:
  std::filesystem::path path_;
  gzFile_s* file_ = nullptr;
  std::uint64_t file_size_ = 0;
  std::uint64_t offset_ = 0;
  bool compressed_ = false;
};

/// "directory/name" if it exists, else "directory/name.gz" if that exists, else empty.
std::filesystem::path find_maybe_gzipped(const std::filesystem::path& directory, const std::string& name);

}  // namespace vitdse::eval::detail

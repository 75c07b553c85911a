// The idx dataset kind: MNIST-layout IDX files (train-/t10k-, images-idx3 and labels-idx1, raw or .gz).
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "dataset_file.hpp"
#include "dataset_kinds.hpp"

namespace vitdse::eval::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;

std::string file_name(Split split, bool images) {
  return std::string(split == Split::train ? "train" : "t10k") + (images ? "-images-idx3-ubyte" : "-labels-idx1-ubyte");
}

fs::path find_file(const fs::path& dir, Split split, bool images) {
  const std::string name = file_name(split, images);
  fs::path found = find_maybe_gzipped(dir, name);
  if (found.empty()) {
    throw Error((dir / name).string() + "[.gz]: no such file; an idx dataset directory holds " +
                file_name(Split::train, true) + ", " + file_name(Split::train, false) + ", " +
                file_name(Split::test, true) + " and " + file_name(Split::test, false) + ", each raw or .gz");
  }
  return found;
}

std::string hex_byte(std::uint8_t b) {
  static const char* const kHex = "0123456789abcdef";
  return {kHex[b >> 4], kHex[b & 0xfU]};
}

/// Reads the magic number and the big-endian dimensions, which must number `ndims`.
std::vector<std::uint32_t> read_header(InputFile& file, std::uint8_t ndims, const std::string& layout) {
  std::array<std::uint8_t, 4> magic{};
  file.read_exact(magic, "the IDX magic number");
  if (magic[0] != 0 || magic[1] != 0) {
    throw file.error("not an IDX file (magic number " + hex_byte(magic[0]) + " " + hex_byte(magic[1]) + " " +
                     hex_byte(magic[2]) + " " + hex_byte(magic[3]) + ", expected 00 00 08 " + hex_byte(ndims) + ")");
  }
  if (magic[2] != kUnsignedByte) {
    throw file.error("IDX element type 0x" + hex_byte(magic[2]) + " is not supported; only unsigned bytes (0x08)");
  }
  if (magic[3] != ndims) {
    throw file.error("has " + std::to_string(magic[3]) + " IDX dimensions; expected " + std::to_string(ndims) + " (" +
                     layout + ")");
  }
  std::vector<std::uint32_t> dims(ndims);
  for (auto& d : dims) {
    std::array<std::uint8_t, 4> b{};
    file.read_exact(b, "the IDX dimensions");
    d = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
  }
  return dims;
}

/// The whole labels file; its count must match the images'.
std::vector<std::uint8_t> read_labels(const fs::path& path) {
  InputFile file(path);
  const std::uint32_t count = read_header(file, 1, "count")[0];
  if (count > file.max_content_bytes()) {
    throw file.error("truncated: the header declares " + std::to_string(count) + " labels but the file is smaller");
  }
  std::vector<std::uint8_t> labels(count);
  file.read_exact(labels, "the labels");
  if (!file.at_end()) throw file.error("has data past the " + std::to_string(count) + " labels its header declares");
  return labels;
}

Dataset load_idx(const fs::path& dir, Split split, std::optional<std::size_t> limit) {
  const fs::path labels_path = find_file(dir, split, false);
  const fs::path images_path = find_file(dir, split, true);
  const std::vector<std::uint8_t> labels = read_labels(labels_path);

  InputFile file(images_path);
  const auto dims = read_header(file, 3, "count, rows, columns");
  const std::uint32_t count = dims[0];
  const std::uint32_t rows = dims[1];
  const std::uint32_t cols = dims[2];
  if (rows == 0 || cols == 0 || rows > kMaxImageSide || cols > kMaxImageSide) {
    throw file.error("images of " + std::to_string(rows) + "x" + std::to_string(cols) +
                     " pixels are not plausible; each side must be 1.." + std::to_string(kMaxImageSide));
  }
  const std::uint64_t pixels = std::uint64_t{rows} * cols;
  if (std::uint64_t{count} * pixels > file.max_content_bytes()) {
    throw file.error("truncated: the header declares " + std::to_string(count) + " images of " + std::to_string(rows) +
                     "x" + std::to_string(cols) + " but the file is smaller");
  }
  if (count != labels.size()) {
    throw file.error("holds " + std::to_string(count) + " images but " + labels_path.string() + " holds " +
                     std::to_string(labels.size()) + " labels");
  }
  if (count == 0) throw file.error("holds no images");

  const std::size_t n = kept(count, limit);
  Dataset data;
  data.channels = 1;
  data.height = static_cast<int>(rows);
  data.width = static_cast<int>(cols);
  // Over the whole file, so that a limited load reports the same class count.
  data.num_classes = *std::max_element(labels.begin(), labels.end()) + 1;
  data.labels.assign(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(n));
  data.bytes.resize(n * pixels);
  file.read_exact(data.bytes, "the images");
  if (n == count && !file.at_end()) {
    throw file.error("has data past the " + std::to_string(count) + " images its header declares");
  }
  return data;
}

bool recognises_idx(const fs::path& path) {
  for (Split split : {Split::train, Split::test}) {
    if (!find_maybe_gzipped(path, file_name(split, true)).empty()) return true;
  }
  return false;
}

}  // namespace

DatasetKind idx_kind() {
  return {"idx", "a directory with train-images-idx3-ubyte[.gz] or t10k-images-idx3-ubyte[.gz] (MNIST layout)",
          recognises_idx, load_idx};
}

}  // namespace vitdse::eval::detail

// The cifar10 and cifar100 dataset kinds: the binary versions' fixed-size records.
#include <cstdint>
#include <vector>

#include "dataset_file.hpp"
#include "dataset_kinds.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::eval::detail {

namespace fs = std::filesystem;

namespace {

constexpr int kSide = 32;
constexpr int kChannels = 3;
constexpr std::size_t kPixels = std::size_t{kChannels} * kSide * kSide;

/// One binary CIFAR variant: its file names and its record's label bytes.
struct Layout {
  std::string name;          ///< "CIFAR-10"
  std::string subdirectory;  ///< what the official archive unpacks to
  std::vector<std::string> train, test;
  std::vector<int> label_ranges;  ///< one per label byte, e.g. {20, 100}: coarse then fine
  std::size_t used_label = 0;     ///< the label kept: CIFAR-100's fine label
};

const Layout& cifar10() {
  static const Layout layout{
      "CIFAR-10",
      "cifar-10-batches-bin",
      {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"},
      {"test_batch.bin"},
      {10},
      0};
  return layout;
}

const Layout& cifar100() {
  static const Layout layout{"CIFAR-100", "cifar-100-binary", {"train.bin"}, {"test.bin"}, {20, 100}, 1};
  return layout;
}

std::string all_files(const Layout& layout) {
  std::vector<std::string> names = layout.train;
  names.insert(names.end(), layout.test.begin(), layout.test.end());
  return join(names);
}

/// The directory holding the files: `path` itself, or the archive's folder inside it.
fs::path batch_directory(const Layout& layout, const fs::path& path) {
  std::error_code ec;
  for (const auto& file : layout.test) {
    if (fs::exists(path / file, ec)) return path;
  }
  if (fs::is_directory(path / layout.subdirectory, ec)) return path / layout.subdirectory;
  return path;
}

/// Appends the records of one batch file to `data`, stopping once it holds `limit` images.
void read_batch(const Layout& layout, const fs::path& path, std::size_t limit, Dataset& data) {
  InputFile file(path);
  const std::size_t label_bytes = layout.label_ranges.size();
  std::vector<std::uint8_t> record(label_bytes + kPixels);
  std::size_t index = 0;
  for (; data.labels.size() < limit; ++index) {
    const std::size_t got = file.read_up_to(record);
    if (got == 0) break;
    if (got < record.size()) {
      throw file.error("truncated: the last record has " + std::to_string(got) + " of " +
                       std::to_string(record.size()) + " bytes (" + layout.name + " records are " +
                       std::to_string(label_bytes) + " label byte(s) then 3x32x32 pixels)");
    }
    for (std::size_t k = 0; k < label_bytes; ++k) {
      if (record[k] >= layout.label_ranges[k]) {
        throw file.error("record " + std::to_string(index) + " has label " + std::to_string(record[k]) + "; " +
                         layout.name + " labels " + (label_bytes > 1 ? "in byte " + std::to_string(k) + " " : "") +
                         "are 0.." + std::to_string(layout.label_ranges[k] - 1));
      }
    }
    data.labels.push_back(record[layout.used_label]);
    data.bytes.insert(data.bytes.end(), record.begin() + static_cast<std::ptrdiff_t>(label_bytes), record.end());
  }
  if (index == 0 && data.labels.size() < limit) throw file.error("holds no records");
}

Dataset load(const Layout& layout, const fs::path& path, Split split, std::optional<std::size_t> limit) {
  const fs::path dir = batch_directory(layout, path);
  const auto& files = split == Split::train ? layout.train : layout.test;
  Dataset data;
  data.channels = kChannels;
  data.height = kSide;
  data.width = kSide;
  data.num_classes = layout.label_ranges[layout.used_label];
  std::uintmax_t bytes = 0;
  for (const auto& name : files) {
    std::error_code ec;
    const auto size = fs::file_size(dir / name, ec);
    if (ec) {
      throw Error((dir / name).string() + ": no such file; a " + layout.name + " directory holds " + all_files(layout));
    }
    bytes += size;
  }
  // Reserve for the whole split up front, rather than growing by doubling through five batches.
  const std::size_t want = kept(SIZE_MAX, limit);
  const std::size_t expected = kept(bytes / (layout.label_ranges.size() + kPixels), want);
  data.labels.reserve(expected);
  data.bytes.reserve(expected * kPixels);
  for (const auto& name : files) {
    if (data.labels.size() >= want) break;
    read_batch(layout, dir / name, want, data);
  }
  return data;
}

/// True if the test file or the first train file is there.
bool recognises(const Layout& layout, const fs::path& path) {
  std::error_code ec;
  const fs::path dir = batch_directory(layout, path);
  return fs::exists(dir / layout.test.front(), ec) || fs::exists(dir / layout.train.front(), ec);
}

}  // namespace

DatasetKind cifar10_kind() {
  return {"cifar10", "a directory with test_batch.bin or data_batch_1.bin (CIFAR-10 binary version)",
          [](const fs::path& p) { return recognises(cifar10(), p); },
          [](const fs::path& p, Split s, std::optional<std::size_t> limit) { return load(cifar10(), p, s, limit); }};
}

DatasetKind cifar100_kind() {
  return {"cifar100", "a directory with test.bin or train.bin (CIFAR-100 binary version)",
          [](const fs::path& p) { return recognises(cifar100(), p); },
          [](const fs::path& p, Split s, std::optional<std::size_t> limit) { return load(cifar100(), p, s, limit); }};
}

}  // namespace vitdse::eval::detail

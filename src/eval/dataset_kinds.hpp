// Internal: the dataset-kind registry. Each kind is one file defining its entry.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vitdse/eval/dataset.hpp"

namespace vitdse::eval::detail {

/// Which images of a split of n to read, in the order wanted.
using Choice = std::function<std::vector<std::size_t>(std::size_t n)>;

/// One dataset kind: how to recognise it from its contents and how to read a split.
struct DatasetKind {
  std::string name;
  /// What `recognises` looks for, for messages: "a directory with train-images-idx3-ubyte[.gz]".
  std::string layout;
  bool (*recognises)(const std::filesystem::path& path) = nullptr;
  /// Reads the split; the caller fills Dataset::source. Errors name the file. Null for kinds
  /// read through `load_chosen`.
  Dataset (*load)(const std::filesystem::path& path, Split split, std::optional<std::size_t> limit) = nullptr;
  /// Kinds whose images are files (image folders): lists the split once, asks `choose` which of
  /// its n images to read (indices below n, in order) and decodes only those. Null for kinds
  /// read whole.
  Dataset (*load_chosen)(const DatasetSource& source, Split split, const Choice& choose) = nullptr;
};

DatasetKind idx_kind();
DatasetKind cifar10_kind();
DatasetKind cifar100_kind();
DatasetKind safetensors_kind();
DatasetKind imagefolder_kind();
DatasetKind imagelist_kind();

/// Image files with their labels, in the order a kind lists them.
struct LabelledFiles {
  std::vector<std::filesystem::path> files;
  std::vector<int> labels;
  int num_classes = 0;
};
/// Decodes the files `choose` picks of `list` by the source's transform, with their labels.
/// `origin` names the list in errors.
Dataset load_chosen_files(const LabelledFiles& list, const DatasetSource& source, const Choice& choose);
/// Warns once per process that `origin` has no training split (`why`), so calibration uses the
/// images it evaluates.
void warn_no_train_split(const std::filesystem::path& origin, const std::string& why);

/// All kinds, sorted by name.
const std::vector<DatasetKind>& registry();
/// The kind called `name`; an unknown name throws an Error listing the kinds.
const DatasetKind& find_kind(const std::string& name, const std::string& origin);

/// The number of images a split keeps: min(available, limit).
inline std::size_t kept(std::size_t available, std::optional<std::size_t> limit) {
  return limit && *limit < available ? *limit : available;
}

}  // namespace vitdse::eval::detail

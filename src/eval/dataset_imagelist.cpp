// The `imagelist` dataset kind: a flat folder of JPEG and PNG files with a label list, as
// ImageNet's validation set ships (one `FILE LABEL` line per image). The list is the dataset, so
// it travels as `imagelist:LIST` wherever a dataset is named: caches, MPI ranks, run files.
#include <charconv>
#include <fstream>
#include <string>

#include "dataset_kinds.hpp"
#include "image_decode.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval::detail {

namespace fs = std::filesystem;

namespace {

/// The list's images and labels, in the list's order. Paths are relative to the list's folder
/// unless absolute; a file may contain spaces, the label being the line's last word.
LabelledFiles read_list(const DatasetSource& source) {
  std::ifstream in(source.path);
  if (!in) throw Error(source.path.string() + ": cannot read the label list");
  const fs::path base = source.path.parent_path();
  const int classes = source.images.num_classes;
  LabelledFiles list;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto where = [&] { return source.path.string() + ":" + std::to_string(number) + ": "; };
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;  // blank or a comment
    const auto end = line.find_last_not_of(" \t") + 1;
    const auto gap = line.find_last_of(" \t", end - 1);
    if (gap == std::string::npos || gap < first) throw Error(where() + "expected 'FILE LABEL', got '" + line + "'");
    const std::string name = line.substr(first, line.find_last_not_of(" \t", gap) + 1 - first);
    const std::string word = line.substr(gap + 1, end - gap - 1);
    int label = -1;
    const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), label);
    if (ec != std::errc{} || ptr != word.data() + word.size() || label < 0) {
      throw Error(where() + "the label '" + word + "' is not a class index (0, 1, ...)");
    }
    if (classes > 0 && label >= classes) {
      throw Error(where() + "label " + word + " is out of range: the model has " + std::to_string(classes) +
                  " classes (0-" + std::to_string(classes - 1) + ")");
    }
    const fs::path file = fs::path(name).is_absolute() ? fs::path(name) : base / name;
    std::error_code error;
    if (!fs::is_regular_file(file, error)) throw Error(where() + file.string() + ": no such image file");
    if (!is_image_file(file)) throw Error(where() + file.string() + ": only JPEG and PNG images are read");
    list.files.push_back(file);
    list.labels.push_back(label);
    list.num_classes = std::max(list.num_classes, label + 1);
  }
  if (list.files.empty()) throw Error(source.path.string() + ": the label list names no image ('FILE LABEL' lines)");
  if (classes > 0) list.num_classes = classes;
  return list;
}

Dataset load_listed(const DatasetSource& source, Split split, const Choice& choose) {
  if (split == Split::train) warn_no_train_split(source.path, "lists one split");
  return load_chosen_files(read_list(source), source, choose);
}

}  // namespace

DatasetKind imagelist_kind() {
  // Not recognised from its contents: a text file could be anything, so it is named.
  return {"imagelist", "a text file of 'FILE LABEL' lines naming JPEG/PNG files (paths relative to it)", nullptr,
          nullptr, load_listed};
}

}  // namespace vitdse::eval::detail

// Image-classification datasets: loading IDX, CIFAR and safetensors files, and choosing which to use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vitdse/model/card.hpp"

namespace vitdse::eval {

enum class Split { train, test };

/// "train" or "test".
std::string to_string(Split split);

/// A split of a dataset held in memory: `size()` images of `channels x height x width` pixels and
/// one label per image in [0, num_classes). Pixels are kept as the file holds them: 8-bit files as
/// bytes (pixel value = byte / 255, a quarter of the memory of floats) and float files as floats
/// in [0, 1]; exactly one of `bytes` and `floats` is used. Read them through copy_image() and
/// pixel(), or as model inputs through normalise_batch().
///
///     Dataset d = load_dataset({"idx", "/usr/share/datasets/fashion-mnist"}, Split::test);
///     float p = d.pixel(0, 0);   // image 0, first pixel, in [0, 1]
struct Dataset {
  int channels = 0;
  int height = 0;
  int width = 0;
  int num_classes = 0;
  std::vector<std::uint8_t> bytes;  ///< N x C x H x W, C-contiguous, for 8-bit sources
  std::vector<float> floats;        ///< N x C x H x W, C-contiguous, for float sources
  std::vector<int> labels;          ///< N
  std::string source;               ///< "kind:path (split)", for messages and reports

  [[nodiscard]] std::size_t size() const { return labels.size(); }
  /// Pixels per image: channels * height * width.
  [[nodiscard]] std::size_t image_size() const {
    return static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
  }
  /// Pixel `k` (channel-major) of image `i`, in [0, 1]; both must be in range.
  [[nodiscard]] float pixel(std::size_t i, std::size_t k) const {
    const std::size_t at = i * image_size() + k;
    return bytes.empty() ? floats[at] : static_cast<float>(bytes[at]) / 255.0f;
  }
  /// Throws an Error naming the source unless `i` < size().
  void check_index(std::size_t i) const;
  /// Writes image `i`'s image_size() pixels, in [0, 1], to `out`. Throws if `i` is out of range.
  void copy_image(std::size_t i, std::span<float> out) const;
  /// Every pixel of every image as a float in [0, 1] (a copy).
  [[nodiscard]] std::vector<float> pixels() const;
};

/// How files of any size become a model's inputs (the `imagefolder` kind): decoded to `channels`,
/// then timm's evaluation transform (eval::detail::eval_transform) to img_size × img_size.
struct ImageTransform {
  int channels = 3;
  int img_size = 224;
  double crop_pct = 0.875;
  model::Interpolation interpolation = model::Interpolation::bicubic;
  int num_classes = 0;  ///< the class folders a model expects; 0: any number
  /// JPEGs are decoded with libjpeg's DCT scaling down to this many times the resize's shorter
  /// side (floor(img_size / crop_pct)) before PIL's resize; 0 decodes them whole, as PIL does.
  int dct_margin = 0;
};

/// The transform `card` asks for.
ImageTransform image_transform(const model::ModelCard& card);

/// Where a dataset lives. `kind` is one of dataset_kinds(); `path` is a directory (idx, cifar10,
/// cifar100, imagefolder) or a file (safetensors). See docs/formats.md for the layouts.
struct DatasetSource {
  std::string kind;
  std::filesystem::path path;
  ImageTransform images;  ///< for image files; resolve_dataset() takes it from the card

  DatasetSource() = default;
  DatasetSource(std::string k, std::filesystem::path p, ImageTransform t = {})
      : kind(std::move(k)), path(std::move(p)), images(t) {}
};

/// The registered dataset kinds: "cifar10", "cifar100", "idx", "imagefolder", "imagelist", "safetensors".
std::vector<std::string> dataset_kinds();

/// Reads one split into memory, validating the files as it goes: bad magic numbers, truncated or
/// corrupt (gzip) files, image/label count mismatches, labels out of range and unusable shapes
/// are each a one-line vitdse::Error naming the file. With `limit`, only the first `limit` images
/// of the split are read (all of them if the split is smaller).
Dataset load_dataset(const DatasetSource& source, Split split, std::optional<std::size_t> limit = {});

/// Which dataset to use for `card`: `data_flag` (the `--data` option) if given, else the
/// VITDSE_DATA environment variable if set and not empty, else the card's `dataset:` entry.
/// A flag or variable is `kind:path` or a bare path whose kind is recognised from its contents.
/// The path must exist; if it does not, or nothing names a dataset, the Error says how to get one
/// (for the default Fashion-MNIST: the Debian package dataset-fashion-mnist) or override it.
DatasetSource resolve_dataset(const model::ModelCard& card, const std::optional<std::string>& data_flag);

/// The kind of dataset at `path`, recognised from its contents (directory layout, file suffix);
/// throws an Error listing what it looked for if it is none of them.
std::string detect_dataset_kind(const std::filesystem::path& path);

/// A new dataset holding images `indices` of `data`, in that order. Indices must be in range.
Dataset subset(const Dataset& data, std::span<const std::size_t> indices);

/// Image files decoded and brought to a model's input by `transform`, in the order given, in
/// parallel (labels 0: the files carry none). A broken file is an Error naming it.
Dataset load_image_files(std::span<const std::filesystem::path> files, const ImageTransform& transform);
/// The JPEG and PNG files under `path`, sorted by path; `path` itself if it is a file.
std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& path);

/// `count` images of a split drawn by sample_indices(split size, count, seed), reading only those
/// where the kind can; `at_most`: all of them when the split has fewer (else that is an Error).
Dataset load_sample(const DatasetSource& source, Split split, std::size_t count, std::uint64_t seed, bool at_most);

/// `count` images drawn from the train split by sample_indices(train size, count, seed), for
/// calibrating quantisers and units without looking at the test split that accuracy is measured on.
Dataset load_calibration_set(const DatasetSource& source, std::size_t count, std::uint64_t seed);

}  // namespace vitdse::eval

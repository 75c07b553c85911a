// The safetensors dataset kind: one file with `images` and `labels` tensors (and optionally a train split).
#include <algorithm>
#include <cmath>
#include <limits>

#include "dataset_file.hpp"
#include "dataset_kinds.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::eval::detail {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kMaxChannels = 64;
constexpr std::int64_t kMaxClasses = 1 << 20;

/// The tensor names of a split: "<split>_images", or plain "images" for the test split.
std::pair<std::string, std::string> tensor_names(const model::SafetensorsFile& file, Split split) {
  const std::string prefix = to_string(split) + "_";
  if (file.contains(prefix + "images") || split == Split::train) return {prefix + "images", prefix + "labels"};
  return {"images", "labels"};
}

Error error(const model::SafetensorsFile& file, const std::string& message) {
  return Error(file.path().string() + ": " + message);
}

/// Reads the images into `data`: U8 as bytes, float types as floats after a range check.
void read_images(const model::SafetensorsFile& file, const std::string& name, Dataset& data) {
  const auto& info = file.info(name);
  if (info.dtype == model::Dtype::u8) {
    data.bytes = file.read_raw(name);
    return;
  }
  if (!model::is_float_dtype(info.dtype)) {
    throw error(file,
                "tensor '" + name + "' is " + model::to_string(info.dtype) + "; images must be U8 or a float type");
  }
  data.floats = file.read_f32(name).data;
  const auto bad =
      std::find_if(data.floats.begin(), data.floats.end(), [](float x) { return !(x >= 0.0f && x <= 1.0f); });
  if (bad != data.floats.end()) {
    throw error(file, "tensor '" + name + "' holds " + format_number(*bad) + " at element " +
                          std::to_string(bad - data.floats.begin()) +
                          "; float images must be in [0, 1] (8-bit pixels divided by 255)");
  }
}

/// The class count from the "num_classes" metadata entry, else the largest label plus one.
int class_count(const model::SafetensorsFile& file, const std::string& name, const std::vector<std::int64_t>& labels) {
  const auto it = file.metadata().find("num_classes");
  if (it == file.metadata().end()) return static_cast<int>(*std::max_element(labels.begin(), labels.end()) + 1);
  const long long n = parse_int(it->second, file.path().string() + ": metadata 'num_classes'");
  if (n < 1 || n > kMaxClasses) {
    throw error(file, "metadata 'num_classes' is " + it->second + "; it must be 1.." + std::to_string(kMaxClasses));
  }
  const auto high = std::find_if(labels.begin(), labels.end(), [&](std::int64_t v) { return v >= n; });
  if (high != labels.end()) {
    throw error(file, "tensor '" + name + "' holds label " + std::to_string(*high) + " at element " +
                          std::to_string(high - labels.begin()) + "; num_classes is " + it->second);
  }
  return static_cast<int>(n);
}

Dataset load_safetensors(const fs::path& path, Split split, std::optional<std::size_t> limit) {
  const model::SafetensorsFile file(path);
  const auto [images_name, labels_name] = tensor_names(file, split);
  for (const auto& name : {images_name, labels_name}) {
    if (!file.contains(name)) {
      throw error(file, "has no tensor '" + name + "' for the " + to_string(split) +
                            " split; a dataset file holds 'images' [N,C,H,W] or [N,H,W] and 'labels' [N] (the test "
                            "split), and optionally 'train_images' and 'train_labels'");
    }
  }
  const auto& shape = file.info(images_name).shape;
  if (shape.size() != 3 && shape.size() != 4) {
    throw error(file, "tensor '" + images_name + "' has " + std::to_string(shape.size()) +
                          " dimensions; images must be [N,C,H,W] or [N,H,W]");
  }
  const std::int64_t count = shape[0];
  const std::int64_t channels = shape.size() == 4 ? shape[1] : 1;
  const std::int64_t height = shape[shape.size() - 2];
  const std::int64_t width = shape[shape.size() - 1];
  if (count < 1 || channels < 1 || channels > kMaxChannels || height < 1 || height > kMaxImageSide || width < 1 ||
      width > kMaxImageSide) {
    throw error(file, "tensor '" + images_name + "' holds " + std::to_string(count) + " images of " +
                          std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width) +
                          "; expected N >= 1, C in 1.." + std::to_string(kMaxChannels) + " and sides in 1.." +
                          std::to_string(kMaxImageSide));
  }
  const auto& label_shape = file.info(labels_name).shape;
  if (label_shape.size() != 1 || label_shape[0] != count) {
    throw error(file, "tensor '" + labels_name + "' must be one label per image, [" + std::to_string(count) +
                          "], since '" + images_name + "' holds " + std::to_string(count) + " images");
  }
  if (model::is_float_dtype(file.info(labels_name).dtype)) {
    throw error(file, "tensor '" + labels_name + "' is " + model::to_string(file.info(labels_name).dtype) +
                          "; labels must be an integer type");
  }
  const auto labels = file.read_i64(labels_name);
  const auto bad = std::find_if(labels.begin(), labels.end(), [](std::int64_t v) { return v < 0 || v >= kMaxClasses; });
  if (bad != labels.end()) {
    throw error(file, "tensor '" + labels_name + "' holds label " + std::to_string(*bad) + " at element " +
                          std::to_string(bad - labels.begin()) + "; labels must be 0.." +
                          std::to_string(kMaxClasses - 1));
  }

  Dataset data;
  data.channels = static_cast<int>(channels);
  data.height = static_cast<int>(height);
  data.width = static_cast<int>(width);
  data.num_classes = class_count(file, labels_name, labels);
  const std::size_t n = kept(static_cast<std::size_t>(count), limit);
  data.labels.assign(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(n));
  read_images(file, images_name, data);
  const std::size_t values = n * data.image_size();
  if (data.bytes.size() > values) data.bytes.resize(values);
  if (data.floats.size() > values) data.floats.resize(values);
  return data;
}

bool recognises_safetensors(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && path.extension() == ".safetensors";
}

}  // namespace

DatasetKind safetensors_kind() {
  return {"safetensors", "a .safetensors file with 'images' and 'labels' tensors", recognises_safetensors,
          load_safetensors};
}

}  // namespace vitdse::eval::detail

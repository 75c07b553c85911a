// The dataset-kind registry, dispatch by kind, and subsets of loaded datasets.
#include "vitdse/eval/dataset.hpp"

#include <algorithm>

#include "dataset_kinds.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/sampling.hpp"

namespace vitdse::eval {

namespace fs = std::filesystem;

namespace detail {

const std::vector<DatasetKind>& registry() {
  static const std::vector<DatasetKind> kinds{cifar10_kind(), cifar100_kind(), idx_kind(), safetensors_kind()};
  return kinds;
}

const DatasetKind& find_kind(const std::string& name, const std::string& origin) {
  for (const auto& kind : registry()) {
    if (kind.name == name) return kind;
  }
  const auto names = dataset_kinds();
  throw Error(origin + ": unknown dataset kind '" + name + "'" + did_you_mean(name, names) + "; kinds: " + join(names));
}

}  // namespace detail

std::string to_string(Split split) { return split == Split::train ? "train" : "test"; }

std::vector<std::string> dataset_kinds() {
  std::vector<std::string> names;
  for (const auto& kind : detail::registry()) names.push_back(kind.name);
  return names;
}

Dataset load_dataset(const DatasetSource& source, Split split, std::optional<std::size_t> limit) {
  const auto& kind = detail::find_kind(source.kind, source.path.string());
  Dataset data = kind.load(source.path, split, limit);
  data.source = source.kind + ":" + source.path.string() + " (" + to_string(split) + ")";
  return data;
}

std::string detect_dataset_kind(const fs::path& path) {
  for (const auto& kind : detail::registry()) {
    if (kind.recognises(path)) return kind.name;
  }
  std::vector<std::string> layouts;
  for (const auto& kind : detail::registry()) layouts.push_back(kind.name + ": " + kind.layout);
  throw Error(path.string() + ": not a dataset vitdse recognises; looked for " + join(layouts, "; ") +
              ". Name the kind as kind:path if it is one of these");
}

Dataset subset(const Dataset& data, std::span<const std::size_t> indices) {
  Dataset out;
  out.channels = data.channels;
  out.height = data.height;
  out.width = data.width;
  out.num_classes = data.num_classes;
  out.source = data.source;
  const std::size_t pixels = data.image_size();
  out.images.resize(indices.size() * pixels);
  out.labels.reserve(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::size_t i = indices[k];
    if (i >= data.size()) {
      throw Error(data.source + ": image index " + std::to_string(i) + " is out of range; the split holds " +
                  std::to_string(data.size()) + " images");
    }
    const auto image = data.image(i);
    std::copy(image.begin(), image.end(), out.images.begin() + static_cast<std::ptrdiff_t>(k * pixels));
    out.labels.push_back(data.labels[i]);
  }
  return out;
}

Dataset load_calibration_set(const DatasetSource& source, std::size_t count, std::uint64_t seed) {
  const Dataset train = load_dataset(source, Split::train);
  Dataset out = subset(train, sample_indices(train.size(), count, seed));
  out.source += " calibration sample of " + std::to_string(count) + ", seed " + std::to_string(seed);
  return out;
}

}  // namespace vitdse::eval

// The dataset-kind registry, dispatch by kind, and subsets of loaded datasets.
#include "vitdse/eval/dataset.hpp"

#include <algorithm>
#include <numeric>

#include "dataset_kinds.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/sampling.hpp"

namespace vitdse::eval {

namespace fs = std::filesystem;

namespace detail {

const std::vector<DatasetKind>& registry() {
  static const std::vector<DatasetKind> kinds{cifar10_kind(),     cifar100_kind(),  idx_kind(),
                                              imagefolder_kind(), imagelist_kind(), safetensors_kind()};
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

ImageTransform image_transform(const model::ModelCard& card) {
  return {card.in_chans, card.img_size, card.crop_pct, card.interpolation, card.num_classes, card.jpeg_dct_margin};
}

namespace {

std::string describe(const DatasetSource& source, Split split) {
  return source.kind + ":" + source.path.string() + " (" + to_string(split) + ")";
}

}  // namespace

Dataset load_dataset(const DatasetSource& source, Split split, std::optional<std::size_t> limit) {
  const auto& kind = detail::find_kind(source.kind, source.path.string());
  Dataset data;
  if (kind.load_chosen != nullptr) {
    data = kind.load_chosen(source, split, [&](std::size_t n) {
      std::vector<std::size_t> first(detail::kept(n, limit));
      std::iota(first.begin(), first.end(), std::size_t{0});
      return first;
    });
  } else {
    data = kind.load(source.path, split, limit);
  }
  data.source = describe(source, split);
  return data;
}

std::string detect_dataset_kind(const fs::path& path) {
  for (const auto& kind : detail::registry()) {
    if (kind.recognises != nullptr && kind.recognises(path)) return kind.name;
  }
  std::vector<std::string> layouts;
  for (const auto& kind : detail::registry()) layouts.push_back(kind.name + ": " + kind.layout);
  throw Error(path.string() + ": not a dataset vitdse recognises; looked for " + join(layouts, "; ") +
              ". Name the kind as kind:path if it is one of these");
}

void Dataset::check_index(std::size_t i) const {
  if (i >= size()) {
    throw Error(source + ": image index " + std::to_string(i) + " is out of range; the split holds " +
                std::to_string(size()) + " images");
  }
}

void Dataset::copy_image(std::size_t i, std::span<float> out) const {
  check_index(i);
  const std::size_t n = image_size();
  if (out.size() != n) {
    throw Error(source + ": an image has " + std::to_string(n) + " pixels, not " + std::to_string(out.size()));
  }
  for (std::size_t k = 0; k < n; ++k) out[k] = pixel(i, k);
}

std::vector<float> Dataset::pixels() const {
  std::vector<float> out(size() * image_size());
  for (std::size_t i = 0; i < size(); ++i) copy_image(i, std::span<float>(out).subspan(i * image_size(), image_size()));
  return out;
}

namespace {

/// Appends image `i` of `from` (one of a dataset's pixel vectors) to `to`.
template <class T>
void append_image(const std::vector<T>& from, std::size_t i, std::size_t n, std::vector<T>& to) {
  if (from.empty()) return;
  const auto begin = from.begin() + static_cast<std::ptrdiff_t>(i * n);
  to.insert(to.end(), begin, begin + static_cast<std::ptrdiff_t>(n));
}

}  // namespace

Dataset subset(const Dataset& data, std::span<const std::size_t> indices) {
  Dataset out;
  out.channels = data.channels;
  out.height = data.height;
  out.width = data.width;
  out.num_classes = data.num_classes;
  out.source = data.source;
  const std::size_t n = data.image_size();
  out.bytes.reserve(data.bytes.empty() ? 0 : indices.size() * n);
  out.floats.reserve(data.floats.empty() ? 0 : indices.size() * n);
  out.labels.reserve(indices.size());
  for (std::size_t i : indices) {
    data.check_index(i);
    append_image(data.bytes, i, n, out.bytes);
    append_image(data.floats, i, n, out.floats);
    out.labels.push_back(data.labels[i]);
  }
  return out;
}

Dataset load_sample(const DatasetSource& source, Split split, std::size_t count, std::uint64_t seed, bool at_most) {
  const auto& kind = detail::find_kind(source.kind, source.path.string());
  if (kind.load_chosen != nullptr) {  // list the files once, decode the sample
    Dataset data = kind.load_chosen(
        source, split, [&](std::size_t n) { return sample_indices(n, at_most ? std::min(count, n) : count, seed); });
    data.source = describe(source, split);
    return data;
  }
  const Dataset all = load_dataset(source, split);
  return subset(all, sample_indices(all.size(), at_most ? std::min(count, all.size()) : count, seed));
}

Dataset load_calibration_set(const DatasetSource& source, std::size_t count, std::uint64_t seed) {
  Dataset out = load_sample(source, Split::train, count, seed, false);
  out.source += " calibration sample of " + std::to_string(count) + ", seed " + std::to_string(seed);
  return out;
}

}  // namespace vitdse::eval

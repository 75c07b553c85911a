// Shared by the dataset targets: loads a split and reads every image back, as an evaluation does.
#pragma once

#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

#include "vitdse/eval/dataset.hpp"

namespace vitdse::fuzz {

/// Loads the split and copies every image and label out; a dataset that loads must be
/// internally consistent, so an inconsistency is a logic_error (a finding), not an Error.
inline void load_and_touch(const eval::DatasetSource& source, eval::Split split, std::optional<std::size_t> limit) {
  const eval::Dataset d = eval::load_dataset(source, split, limit);
  if (d.bytes.size() + d.floats.size() != d.size() * d.image_size())
    throw std::logic_error("dataset pixel count does not match its shape");
  std::vector<float> image(d.image_size());
  for (std::size_t i = 0; i < d.size(); ++i) {
    d.copy_image(i, image);
    if (d.labels[i] < 0 || d.labels[i] >= d.num_classes) throw std::logic_error("label out of range after loading");
  }
}

}  // namespace vitdse::fuzz

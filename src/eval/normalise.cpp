// Model inputs from dataset images: shape check against the card, per-channel normalisation.
#include "vitdse/eval/normalise.hpp"

#include <numeric>

#include <array>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::eval {

void check_dataset_fits(const Dataset& data, const model::ModelCard& card) {
  const std::string model = "model '" + card.name + "'";
  if (data.channels != card.in_chans || data.height != card.img_size || data.width != card.img_size) {
    throw Error(data.source + " has " + std::to_string(data.channels) + "x" + std::to_string(data.height) + "x" +
                std::to_string(data.width) + " images but " + model + " takes " + std::to_string(card.in_chans) + "x" +
                std::to_string(card.img_size) + "x" + std::to_string(card.img_size) +
                " (in_chans x img_size x img_size); choose a matching dataset with --data");
  }
  if (data.num_classes > card.num_classes) {
    throw Error(data.source + " has labels up to " + std::to_string(data.num_classes - 1) + " but " + model + " has " +
                std::to_string(card.num_classes) + " classes");
  }
}

void normalise_batch(const Dataset& data, const model::ModelCard& card, std::span<const std::size_t> indices,
                     std::span<float> out) {
  check_dataset_fits(data, card);
  const std::size_t pixels = data.image_size();
  const std::size_t plane = static_cast<std::size_t>(data.height) * static_cast<std::size_t>(data.width);
  if (out.size() != indices.size() * pixels) {
    throw Error("normalise_batch: the output holds " + std::to_string(out.size()) + " floats; a batch of " +
                std::to_string(indices.size()) + " needs " + std::to_string(indices.size() * pixels));
  }
  const auto channels = static_cast<std::size_t>(data.channels);
  // In float, as the model computes: (x - mean) / std, not x * (1 / std), which rounds differently.
  const auto normalise = [&](float x, std::size_t c) {
    return (x - static_cast<float>(card.mean[c])) / static_cast<float>(card.std[c]);
  };
  // 8-bit pixels take one of 256 values per channel, so tabulate them once.
  std::vector<std::array<float, 256>> table(data.bytes.empty() ? 0 : channels);
  for (std::size_t c = 0; c < table.size(); ++c) {
    for (std::size_t b = 0; b < 256; ++b) table[c][b] = normalise(static_cast<float>(b) / 255.0f, c);
  }
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::size_t i = indices[k];
    data.check_index(i);
    float* dst = out.data() + k * pixels;
    for (std::size_t c = 0; c < channels; ++c) {
      const std::size_t begin = i * pixels + c * plane;
      if (data.bytes.empty()) {
        for (std::size_t p = 0; p < plane; ++p) dst[c * plane + p] = normalise(data.floats[begin + p], c);
      } else {
        for (std::size_t p = 0; p < plane; ++p) dst[c * plane + p] = table[c][data.bytes[begin + p]];
      }
    }
  }
}

std::vector<float> normalised_batch(const Dataset& data, const model::ModelCard& card,
                                    std::span<const std::size_t> indices) {
  std::vector<float> out(indices.size() * data.image_size());
  normalise_batch(data, card, indices, out);
  return out;
}

std::vector<float> normalised_batch(const Dataset& data, const model::ModelCard& card) {
  std::vector<std::size_t> all(data.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  return normalised_batch(data, card, all);
}

}  // namespace vitdse::eval

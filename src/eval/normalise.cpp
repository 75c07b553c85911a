// Model inputs from dataset images: shape check against the card, per-channel normalisation.
#include "vitdse/eval/normalise.hpp"

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
  // Multiplying by a float reciprocal would differ from (x - mean) / std in the last bit.
  std::vector<float> mean(card.mean.begin(), card.mean.end());
  std::vector<float> stdev(card.std.begin(), card.std.end());
  for (std::size_t b = 0; b < indices.size(); ++b) {
    if (indices[b] >= data.size()) {
      throw Error(data.source + ": image index " + std::to_string(indices[b]) + " is out of range; the split holds " +
                  std::to_string(data.size()) + " images");
    }
    const auto image = data.image(indices[b]);
    float* dst = out.data() + b * pixels;
    for (std::size_t c = 0; c < static_cast<std::size_t>(data.channels); ++c) {
      const float m = mean[c];
      const float s = stdev[c];
      for (std::size_t p = c * plane; p < (c + 1) * plane; ++p) dst[p] = (image[p] - m) / s;
    }
  }
}

std::vector<float> normalised_batch(const Dataset& data, const model::ModelCard& card,
                                    std::span<const std::size_t> indices) {
  std::vector<float> out(indices.size() * data.image_size());
  normalise_batch(data, card, indices, out);
  return out;
}

}  // namespace vitdse::eval

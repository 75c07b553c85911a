// Training-time data augmentation on normalised images.
#pragma once

#include <cstdint>
#include <span>

namespace vitdse::train {

struct Augmentation {
  int pad = 1;        ///< random crop: shift by up to `pad` pixels each way, as a crop of the zero-padded image
  bool flip = false;  ///< mirror left-right with probability 1/2
};

/// Augments one normalised [C x size x size] image in place, as torchvision's
/// RandomCrop(size, padding=pad) followed by RandomHorizontalFlip: pixels shifted in from outside
/// take `fill[c]`, the normalised value of a black pixel. The draws come from `key` alone
/// (a hash of seed, epoch and image position), so they do not depend on threads.
void augment_image(std::span<float> image, int channels, int size, const Augmentation& aug, std::span<const float> fill,
                   std::uint64_t key);

/// A well-mixed 64-bit key from three integers (SplitMix64's finaliser).
std::uint64_t mix_key(std::uint64_t a, std::uint64_t b, std::uint64_t c);

}  // namespace vitdse::train

// Random crop with padding and horizontal flip.
#include "vitdse/train/augment.hpp"

#include <vector>

namespace vitdse::train {

namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t mix_key(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  return splitmix(splitmix(splitmix(a) ^ b) ^ c);
}

void augment_image(std::span<float> image, int channels, int size, const Augmentation& aug, std::span<const float> fill,
                   std::uint64_t key) {
  const std::uint64_t r = splitmix(key);
  const int span = 2 * aug.pad + 1;
  const int dy = aug.pad > 0 ? static_cast<int>(r % static_cast<std::uint64_t>(span)) - aug.pad : 0;
  const int dx = aug.pad > 0 ? static_cast<int>((r >> 16) % static_cast<std::uint64_t>(span)) - aug.pad : 0;
  const bool mirror = aug.flip && ((r >> 40) & 1U) != 0;
  if (dy == 0 && dx == 0 && !mirror) return;
  std::vector<float> plane(static_cast<std::size_t>(size) * static_cast<std::size_t>(size));
  for (int c = 0; c < channels; ++c) {
    float* src = image.data() + static_cast<std::size_t>(c) * plane.size();
    std::copy(src, src + plane.size(), plane.begin());
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        // Output (y, x) is input (y + dy, x' + dx) where x' undoes the mirror.
        const int sy = y + dy, sx = (mirror ? size - 1 - x : x) + dx;
        const bool inside = sy >= 0 && sy < size && sx >= 0 && sx < size;
        src[y * size + x] =
            inside ? plane[static_cast<std::size_t>(sy * size + sx)] : fill[static_cast<std::size_t>(c)];
      }
    }
  }
}

}  // namespace vitdse::train

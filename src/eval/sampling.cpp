// Seeded, platform-independent sampling of image indices.
#include "vitdse/eval/sampling.hpp"

#include <numeric>
#include <string>

#include "vitdse/core/error.hpp"
#include "vitdse/core/random.hpp"

namespace vitdse::eval {

std::vector<std::size_t> sample_indices(std::size_t n, std::size_t count, std::uint64_t seed) {
  if (count > n) {
    throw Error("cannot sample " + std::to_string(count) + " images from a split of " + std::to_string(n));
  }
  std::vector<std::size_t> pool(n);
  std::iota(pool.begin(), pool.end(), std::size_t{0});
  Rng rng(seed);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(rng.below(n - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(count);
  return pool;
}

}  // namespace vitdse::eval

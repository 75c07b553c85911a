// Seeded, platform-independent sampling of image indices.
#include "vitdse/eval/sampling.hpp"

#include <numeric>
#include <random>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::eval {

namespace {

/// Uniform in [0, bound) by rejection: std::uniform_int_distribution differs between standard
/// libraries, while mt19937_64's raw output does not.
std::uint64_t below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t reject_under = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    const std::uint64_t r = rng();
    if (r >= reject_under) return r % bound;
  }
}

}  // namespace

std::vector<std::size_t> sample_indices(std::size_t n, std::size_t count, std::uint64_t seed) {
  if (count > n) {
    throw Error("cannot sample " + std::to_string(count) + " images from a split of " + std::to_string(n));
  }
  std::vector<std::size_t> pool(n);
  std::iota(pool.begin(), pool.end(), std::size_t{0});
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(below(rng, n - i));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(count);
  return pool;
}

}  // namespace vitdse::eval

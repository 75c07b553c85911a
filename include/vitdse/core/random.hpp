// Seeded random draws that are the same on every platform (every random choice flows from --seed).
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace vitdse {

/// std::mt19937_64, whose output the standard fixes, with its own draws: the standard
/// distributions' algorithms differ between standard libraries.
///
///     Rng rng(seed);
///     std::size_t i = rng.below(10);
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  /// Uniform in [0, bound), by rejection; bound > 0.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t reject_under = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
      const std::uint64_t r = engine_();
      if (r >= reject_under) return r % bound;
    }
  }
  /// Uniform in [0, 1), 53 bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// An index drawn with probability proportional to `weights` (non-negative, not all zero).
  std::size_t pick(std::span<const double> weights) {
    double total = 0;
    for (const double w : weights) total += w;
    double u = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (u < weights[i]) return i;
      u -= weights[i];
    }
    return weights.size() - 1;
  }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace vitdse

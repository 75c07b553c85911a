// Deterministic choice of which images to evaluate or calibrate on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vitdse::eval {

/// `count` distinct indices in [0, n), a uniform random sample in random order, drawn by a
/// partial Fisher-Yates shuffle from std::mt19937_64 seeded with `seed`. The same (n, seed) gives
/// the same sequence on every platform, and the result for a smaller count is a prefix of the one
/// for a larger count, so any prefix is itself a uniform sample. `count > n` throws an Error.
/// (To take the first `count` images in file order instead, pass `limit` to load_dataset.)
///
///     sample_indices(10000, 3, 42)   // three distinct indices below 10000, the same every run
std::vector<std::size_t> sample_indices(std::size_t n, std::size_t count, std::uint64_t seed);

}  // namespace vitdse::eval

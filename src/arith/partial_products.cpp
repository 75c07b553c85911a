// Partial-product arrays: bit-level evaluation, dropped-bit statistics and cell accounts.
#include "vitdse/arith/partial_products.hpp"

#include <algorithm>

namespace vitdse::arith {

Hardware column_reduction_hardware(const std::vector<int>& heights) {
  Hardware h;
  int carry = 0;
  const auto columns = heights.size();
  for (std::size_t c = 0; c < columns + 8; ++c) {
    int bits = (c < columns ? heights[c] : 0) + carry;
    carry = 0;
    while (bits >= 3) {
      h.fa += 1;
      bits -= 2;
      ++carry;
    }
    const bool more_above = std::any_of(heights.begin() + static_cast<std::ptrdiff_t>(std::min(c + 1, columns)),
                                        heights.end(), [](int x) { return x > 0; });
    if (bits == 2 && (more_above || carry > 0)) {
      h.ha += 1;
      bits -= 1;
      ++carry;
    }
  }
  int tallest = 0, first = -1, last = -1;
  for (std::size_t c = 0; c < columns; ++c) {
    if (heights[c] == 0) continue;
    tallest = std::max(tallest, heights[c]);
    if (first < 0) first = static_cast<int>(c);
    last = static_cast<int>(c);
  }
  h.depth = first < 0 ? 0 : tallest + (last - first + 2) / 2;
  return h;
}

PartialProductArray::PartialProductArray(int bits, bool is_signed, std::function<bool(int, int)> keep)
    : bits_(bits), signed_(is_signed), kept_(static_cast<std::size_t>(bits * bits)) {
  for (int i = 0; i < bits; ++i) {
    for (int j = 0; j < bits; ++j) kept_[static_cast<std::size_t>(i * bits + j)] = keep(i, j) ? 1 : 0;
  }
}

bool PartialProductArray::inverted(int i, int j) const {
  const int top = bits_ - 1;
  return signed_ && ((i == top) != (j == top));
}

std::int64_t PartialProductArray::multiply(std::int64_t a, std::int64_t b) const {
  const int n = bits_;
  const auto ua = static_cast<std::uint64_t>(a), ub = static_cast<std::uint64_t>(b);
  std::uint64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    const std::uint64_t ai = (ua >> i) & 1U;
    for (int j = 0; j < n; ++j) {
      if (kept_[static_cast<std::size_t>(i * n + j)] == 0) continue;
      std::uint64_t bit = ai & ((ub >> j) & 1U);
      if (inverted(i, j)) bit ^= 1U;
      sum += bit << (i + j);
    }
  }
  if (!signed_) return static_cast<std::int64_t>(sum);
  // Baugh-Wooley constant, then read the 2n-bit result as two's complement.
  sum += (std::uint64_t{1} << n) - (std::uint64_t{1} << (2 * n - 1));
  const int width = 2 * n;
  const std::uint64_t mask = (std::uint64_t{1} << width) - 1;
  sum &= mask;
  const std::uint64_t sign = std::uint64_t{1} << (width - 1);
  return static_cast<std::int64_t>(sum ^ sign) - static_cast<std::int64_t>(sign);
}

double PartialProductArray::dropped_mean() const {
  // Over uniform operands each bit is 1 with probability 1/2, so a_i·b_j is 1 with
  // probability 1/4, and an inverted (NAND) bit with 3/4.
  double mean = 0;
  for (int i = 0; i < bits_; ++i) {
    for (int j = 0; j < bits_; ++j) {
      if (kept(i, j)) continue;
      mean += (inverted(i, j) ? 0.75 : 0.25) * static_cast<double>(std::uint64_t{1} << (i + j));
    }
  }
  return mean;
}

Hardware PartialProductArray::hardware() const {
  std::vector<int> heights(static_cast<std::size_t>(2 * bits_), 0);
  int gates = 0;
  for (int i = 0; i < bits_; ++i) {
    for (int j = 0; j < bits_; ++j) {
      if (!kept(i, j)) continue;
      ++heights[static_cast<std::size_t>(i + j)];
      ++gates;
    }
  }
  Hardware h = column_reduction_hardware(heights);
  h.and2 = gates;
  if (signed_) h.fa += 2;  // Baugh-Wooley's correction constant
  return h;
}

}  // namespace vitdse::arith

namespace vitdse::arith {

Hardware array_multiplier_hardware(int na, int nb) {
  std::vector<int> heights(static_cast<std::size_t>(na + nb), 0);
  for (int i = 0; i < na; ++i) {
    for (int j = 0; j < nb; ++j) ++heights[static_cast<std::size_t>(i + j)];
  }
  Hardware h = column_reduction_hardware(heights);
  h.and2 = static_cast<double>(na) * nb;
  return h;
}

}  // namespace vitdse::arith

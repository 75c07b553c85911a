// Internal: one channel's integer grid, shared by the quantisers and their calibration.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "vitdse/arith/quantiser.hpp"

namespace vitdse::arith::detail {

inline constexpr int kMinBits = 2;
inline constexpr int kMaxBits = 16;

/// Round half to even, independent of the floating-point environment. v - floor(v) is exact
/// for every finite double, so the tie test is exact too; selects instead of branches let the
/// compiler vectorise loops over it (which side a value falls is data, and unpredictable).
inline double round_half_even(double v) {
  const double f = std::floor(v);
  const double frac = v - f;
  const double odd_floor = std::floor(f * 0.5) * 2.0 != f ? 1.0 : 0.0;
  const double tie = f + odd_floor;
  return frac > 0.5 ? f + 1 : (frac < 0.5 ? f : tie);
}

/// One channel's scale, zero point and code range, held in double so that code() computes
/// x / s in double and clamps before the (then always defined) conversion to an integer.
struct ChannelGrid {
  float scale = 1;
  double zero = 0;
  double qmin = 0, qmax = 0;

  [[nodiscard]] std::int32_t code(float x) const {
    const double q = round_half_even(static_cast<double>(x) / static_cast<double>(scale)) + zero;
    return static_cast<std::int32_t>(std::clamp(q, qmin, qmax));
  }
  [[nodiscard]] float value(std::int32_t q) const {
    return static_cast<float>((static_cast<double>(q) - zero) * static_cast<double>(scale));
  }
  [[nodiscard]] float fake(float x) const { return value(code(x)); }
};

/// Throws Error unless 2 <= bits <= 16.
void check_bits(int bits, const std::string& where);
/// Throws Error on empty data or any NaN / infinity.
void check_finite(std::span<const float> x, std::string_view where);
/// The grid params_from_range builds for [lo, hi] (widened to include 0).
ChannelGrid grid_for_range(double lo, double hi, int bits, QuantScheme scheme);
/// Channel `channel` of validated parameters.
ChannelGrid grid_of(const QuantParams& p, std::size_t channel);
/// Sum over x of (x - fake(x))^2 in double.
double sum_squared_error(std::span<const float> x, const ChannelGrid& g);

}  // namespace vitdse::arith::detail

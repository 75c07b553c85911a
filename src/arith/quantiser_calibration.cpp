// Calibration of uniform quantisers: min-max, percentile and MSE-optimal clipping.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "quantiser_grid.hpp"
#include "vitdse/arith/quantiser.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

// Clip ratios a in [2^-12, 1] are searched in u = log2 a: heavy tails put the best clip far
// below the maximum, where a linear grid would be coarse. Grid step 1/12 octave (5.9%).
constexpr double kMinLog2Ratio = -12;
constexpr double kGridStep = 1.0 / 12;
constexpr double kGoldenWidth = 1e-7;  // golden-section stops below this bracket, in octaves
constexpr int kMaxRounds = 4;          // asymmetric: rounds of width and centre searches

/// The p-th percentile of already-checked data; `values` is reordered.
double percentile_of(std::vector<float>& values, double p) {
  const double rank = p / 100 * static_cast<double>(values.size() - 1);
  const auto k = static_cast<std::size_t>(std::floor(rank));
  const double frac = rank - static_cast<double>(k);
  const auto kth = values.begin() + static_cast<std::ptrdiff_t>(k);
  std::nth_element(values.begin(), kth, values.end());
  const double below = *kth;
  if (frac == 0 || k + 1 >= values.size()) return below;
  // After nth_element everything past k is >= the k-th value; its minimum is the (k+1)-th.
  const double above = *std::min_element(kth + 1, values.end());
  return below + frac * (above - below);
}

void check_percentile(double p, const std::string& where) {
  if (!(p > 0 && p <= 100))
    throw Error(where + ": percentile " + std::to_string(p) + " is out of range; allowed (0, 100]");
}

/// A line search: the minimum of f over t in [t_lo, t_hi] (t_lo <= 0 <= t_hi), by a grid of
/// step kGridStep, then golden-section search over the cells either side of the best grid
/// point. `best` is the incumbent f(0); the result is the best t evaluated, or 0.
template <class F>
std::pair<double, double> line_search(const F& f, double t_lo, double t_hi, double best) {
  double best_t = 0;
  const auto consider = [&](double t, double e) {
    if (e < best) {
      best = e;
      best_t = t;
    }
  };
  const int steps = static_cast<int>(std::floor((t_hi - t_lo) / kGridStep));
  for (int k = 0; k <= steps; ++k) consider(t_lo + k * kGridStep, f(t_lo + k * kGridStep));
  const double inv_phi = (std::sqrt(5.0) - 1) / 2;
  double left = std::max(best_t - kGridStep, t_lo), right = std::min(best_t + kGridStep, t_hi);
  double c = right - inv_phi * (right - left), d = left + inv_phi * (right - left);
  double fc = f(c), fd = f(d);
  consider(c, fc);
  consider(d, fd);
  while (right - left > kGoldenWidth) {
    if (fc < fd) {
      right = d;
      d = c;
      fd = fc;
      c = right - inv_phi * (right - left);
      fc = f(c);
      consider(c, fc);
    } else {
      left = c;
      c = d;
      fc = fd;
      d = left + inv_phi * (right - left);
      fd = f(d);
      consider(d, fd);
    }
  }
  return {best_t, best};
}

/// The clip [2^u·lo, 2^v·hi] (lo <= 0 <= hi, u, v in [-12, 0]) that minimises the MSE.
/// Symmetric grids only see the larger end, so one common ratio (u = v) is searched.
/// Asymmetric ones then alternate two line searches: (u + t, v - t) moves the clip's centre
/// at roughly constant width, (u + t, v + t) changes its width. These follow the error's
/// valley, which runs along constant width; searching u and v one at a time zig-zags.
std::pair<float, float> mse_range(std::span<const float> x, double lo, double hi, const CalibrationOptions& opt) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  // The range is rounded to float here exactly as the returned one will be, so the MSE found
  // is the MSE of the parameters calibrate() builds.
  const auto clip = [&](double u, double v) {
    return std::pair{static_cast<float>(std::exp2(u) * lo), static_cast<float>(std::exp2(v) * hi)};
  };
  const auto mse = [&](double u, double v) {
    const auto [l, h] = clip(u, v);
    return detail::sum_squared_error(x, detail::grid_for_range(l, h, opt.bits, opt.scheme));
  };
  double u = 0, v = 0;
  auto [t, best] = line_search([&](double s) { return mse(s, s); }, kMinLog2Ratio, 0, mse(0, 0));
  u = v = t;
  // One-sided data has nothing to clip on its empty side.
  if (opt.scheme == QuantScheme::asymmetric && lo < 0 && hi > 0) {
    for (int round = 0; round < kMaxRounds; ++round) {
      const double before = best;
      std::tie(t, best) = line_search([&](double s) { return mse(u + s, v - s); }, std::max(v, kMinLog2Ratio - u),
                                      std::min(-u, v - kMinLog2Ratio), best);
      // Clamped so rounding never leaves a ratio a hair above 1.
      u = std::min(u + t, 0.0);
      v = std::min(v - t, 0.0);
      std::tie(t, best) = line_search([&](double s) { return mse(u + s, v + s); }, kMinLog2Ratio - std::min(u, v),
                                      -std::max(u, v), best);
      u = std::min(u + t, 0.0);
      v = std::min(v + t, 0.0);
      if (best >= before) break;
    }
  }
  return clip(u, v);
}

/// One channel's calibrated range.
std::pair<float, float> channel_range(std::span<const float> x, const CalibrationOptions& opt) {
  const auto [min_it, max_it] = std::minmax_element(x.begin(), x.end());
  const double lo = *min_it, hi = *max_it;
  switch (opt.method) {
    case CalibrationMethod::min_max:
      return {static_cast<float>(lo), static_cast<float>(hi)};
    case CalibrationMethod::percentile: {
      std::vector<float> values(x.begin(), x.end());
      if (opt.scheme == QuantScheme::symmetric) {
        for (auto& v : values) v = std::abs(v);
        const auto a = static_cast<float>(percentile_of(values, opt.percentile));
        return {-a, a};
      }
      const double p_hi = percentile_of(values, opt.percentile);
      const double p_lo = percentile_of(values, 100 - opt.percentile);
      // Below the median the two percentiles swap roles; the central interval is the same.
      return {static_cast<float>(std::min(p_lo, p_hi)), static_cast<float>(std::max(p_lo, p_hi))};
    }
    case CalibrationMethod::mse:
      return mse_range(x, lo, hi, opt);
  }
  return {static_cast<float>(lo), static_cast<float>(hi)};
}

void check_options(const CalibrationOptions& opt) {
  detail::check_bits(opt.bits, "calibrate");
  check_percentile(opt.percentile, "calibrate");
}

}  // namespace

double percentile(std::span<const float> x, double p) {
  check_percentile(p, "percentile");
  detail::check_finite(x, "percentile");
  std::vector<float> values(x.begin(), x.end());
  return percentile_of(values, p);
}

QuantParams calibrate(std::span<const float> x, const CalibrationOptions& options) {
  check_options(options);
  if (options.granularity != Granularity::per_tensor)
    throw Error("calibrate: a span takes per-tensor calibration; use the matrix form for per-row or per-column");
  detail::check_finite(x, "calibrate");
  const auto [lo, hi] = channel_range(x, options);
  return params_from_range(lo, hi, options.bits, options.scheme);
}

QuantParams calibrate(const FloatMatrix& x, const CalibrationOptions& options) {
  check_options(options);
  const std::span<const float> all(x.data(), static_cast<std::size_t>(x.size()));
  detail::check_finite(all, "calibrate");
  std::vector<float> lo, hi;
  const auto add = [&](std::span<const float> channel) {
    const auto [l, h] = channel_range(channel, options);
    lo.push_back(l);
    hi.push_back(h);
  };
  const auto cols = static_cast<std::size_t>(x.cols());
  switch (options.granularity) {
    case Granularity::per_tensor:
      add(all);
      break;
    case Granularity::per_row:
      for (Eigen::Index r = 0; r < x.rows(); ++r) add(all.subspan(static_cast<std::size_t>(r) * cols, cols));
      break;
    case Granularity::per_column: {
      std::vector<float> column(static_cast<std::size_t>(x.rows()));
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        for (Eigen::Index r = 0; r < x.rows(); ++r) column[static_cast<std::size_t>(r)] = x(r, c);
        add(column);
      }
      break;
    }
  }
  return params_from_ranges(lo, hi, options.bits, options.scheme, options.granularity);
}

}  // namespace vitdse::arith

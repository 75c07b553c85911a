// Calibration: min-max, percentile and MSE-optimal clipping against direct references.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <vector>

#include "arith/quantiser_test_util.hpp"
#include "vitdse/arith/quantiser.hpp"

namespace vitdse::arith {

namespace {

CalibrationOptions options(int bits, QuantScheme scheme, CalibrationMethod method) {
  CalibrationOptions opt;
  opt.bits = bits;
  opt.scheme = scheme;
  opt.method = method;
  return opt;
}

/// The quantisation MSE of clipping x to [a_lo · min(x, 0), a_hi · max(x, 0)], written out
/// directly (std::nearbyint in the default rounding mode is round-half-to-even).
double direct_mse(const std::vector<float>& x, float x_min, float x_max, double a_lo, double a_hi, int bits,
                  QuantScheme scheme) {
  const double lo = a_lo * std::min(x_min, 0.0f), hi = a_hi * std::max(x_max, 0.0f);
  double qmin = 0, qmax = 0, s = 0, z = 0;
  if (scheme == QuantScheme::symmetric) {
    qmax = std::ldexp(1.0, bits - 1) - 1;
    qmin = -qmax;
    s = std::max(-lo, hi) / qmax;
  } else {
    qmax = std::ldexp(1.0, bits) - 1;
    s = (hi - lo) / qmax;
    z = std::clamp(std::nearbyint(-lo / s), 0.0, qmax);
  }
  double sum = 0;
  for (const float v : x) {
    const double q = std::clamp(std::nearbyint(v / s) + z, qmin, qmax);
    const double e = v - (q - z) * s;
    sum += e * e;
  }
  return sum / static_cast<double>(x.size());
}

}  // namespace

TEST(QuantCalibration, PercentileInterpolatesBetweenOrderStatistics) {
  const std::vector<float> x{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(percentile(x, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile(x, 100), 4);
  EXPECT_DOUBLE_EQ(percentile(x, 25), 1.75);
  EXPECT_NEAR(percentile(x, 1e-9), 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(percentile(std::vector<float>{7}, 30), 7);
  // Against a full sort on a larger sample.
  auto y = test::laplace(1001, 1.0, 2);
  const double p = percentile(y, 99.95);  // rank 999.5
  std::sort(y.begin(), y.end());
  EXPECT_NEAR(p, (static_cast<double>(y[999]) + y[1000]) / 2, 1e-9);
  EXPECT_EQ(percentile(y, 100), y[1000]);
}

TEST(QuantCalibration, MinMaxAndPercentileRanges) {
  const auto x = test::laplace(10000, 1.0, 4);
  const auto [min_it, max_it] = std::minmax_element(x.begin(), x.end());
  const float amax = std::max(-*min_it, *max_it);
  const auto mm = calibrate(x, options(8, QuantScheme::symmetric, CalibrationMethod::min_max));
  EXPECT_EQ(mm.scales[0], params_from_range(-amax, amax, 8, QuantScheme::symmetric).scales[0]);
  const auto mm_asym = calibrate(x, options(8, QuantScheme::asymmetric, CalibrationMethod::min_max));
  const auto expected_asym = params_from_range(*min_it, *max_it, 8, QuantScheme::asymmetric);
  EXPECT_EQ(mm_asym.scales, expected_asym.scales);
  EXPECT_EQ(mm_asym.zero_points, expected_asym.zero_points);

  auto opt = options(8, QuantScheme::symmetric, CalibrationMethod::percentile);
  opt.percentile = 99.0;
  std::vector<float> magnitudes(x);
  for (auto& v : magnitudes) v = std::abs(v);
  const auto a = static_cast<float>(percentile(magnitudes, 99.0));
  EXPECT_EQ(calibrate(x, opt).scales[0], params_from_range(-a, a, 8, QuantScheme::symmetric).scales[0]);
  EXPECT_LT(a, amax / 2);
  opt.scheme = QuantScheme::asymmetric;
  const auto lo = static_cast<float>(percentile(x, 1.0)), hi = static_cast<float>(percentile(x, 99.0));
  const auto p = calibrate(x, opt), expected = params_from_range(lo, hi, 8, QuantScheme::asymmetric);
  EXPECT_EQ(p.scales, expected.scales);
  EXPECT_EQ(p.zero_points, expected.zero_points);
  // p and 100 - p name the same central interval; 100 is min-max.
  opt.percentile = 1.0;
  EXPECT_EQ(calibrate(x, opt).scales, expected.scales);
  opt.percentile = 100;
  EXPECT_EQ(calibrate(x, opt).scales, expected_asym.scales);
}

TEST(QuantCalibration, MseBeatsMinMaxAndPercentileOnHeavyTails) {
  const std::vector<std::vector<float>> samples{test::laplace(20000, 1.0, 7), test::student_t(20000, 3.0, 8)};
  for (const auto& x : samples) {
    for (const auto scheme : {QuantScheme::symmetric, QuantScheme::asymmetric}) {
      for (const int bits : {2, 3, 4, 6, 8}) {
        const double mse = quantisation_mse(x, calibrate(x, options(bits, scheme, CalibrationMethod::mse)));
        const double mm = quantisation_mse(x, calibrate(x, options(bits, scheme, CalibrationMethod::min_max)));
        const double pct = quantisation_mse(x, calibrate(x, options(bits, scheme, CalibrationMethod::percentile)));
        EXPECT_LE(mse, pct) << bits << " bits";
        // Heavy tails: clipping pays off clearly at low widths.
        if (bits <= 4) {
          EXPECT_LT(mse, 0.7 * mm) << bits << " bits";
        } else {
          EXPECT_LE(mse, mm) << bits << " bits";
        }
      }
    }
  }
}

TEST(QuantCalibration, MseNeverAboveMinMaxAtAnyWidth) {
  const auto x = test::normal(3000, 0.5, 1.0, 12);
  for (const auto scheme : {QuantScheme::symmetric, QuantScheme::asymmetric}) {
    for (int bits = 2; bits <= 16; ++bits) {
      const double mse = quantisation_mse(x, calibrate(x, options(bits, scheme, CalibrationMethod::mse)));
      const double mm = quantisation_mse(x, calibrate(x, options(bits, scheme, CalibrationMethod::min_max)));
      EXPECT_LE(mse, mm) << bits << " bits";
    }
  }
}

// The search against independent brute force with its own quantiser: symmetric, a grid of
// step 1e-4 on the one ratio, matched within 0.5% either way; asymmetric, a 2-D grid of step
// 1/100 on both ratios and a 1e-4 grid on a common ratio, neither beaten by more than 0.5%.
TEST(QuantCalibration, MseMatchesBruteForceSearch) {
  const std::vector<std::vector<float>> samples{test::laplace(2000, 2.0, 17), test::student_t(2000, 3.0, 18)};
  for (const auto& x : samples) {
    const auto range = std::minmax_element(x.begin(), x.end());  // not bound: Clang 14 cannot capture bindings
    const auto direct = [&](double a_lo, double a_hi, int bits, QuantScheme scheme) {
      return direct_mse(x, *range.first, *range.second, a_lo, a_hi, bits, scheme);
    };
    for (const int bits : {3, 5}) {
      double common = std::numeric_limits<double>::infinity();
      for (int k = 1; k <= 10000; ++k)
        common = std::min(common, direct(k * 1e-4, k * 1e-4, bits, QuantScheme::symmetric));
      const double sym =
          quantisation_mse(x, calibrate(x, options(bits, QuantScheme::symmetric, CalibrationMethod::mse)));
      EXPECT_LE(sym, common * 1.005) << bits << " bits";
      EXPECT_GE(sym, common * 0.995) << bits << " bits";
      std::cout << bits << " sym " << sym / common << "\n";

      const auto scheme = QuantScheme::asymmetric;
      common = std::numeric_limits<double>::infinity();
      for (int k = 1; k <= 10000; ++k) common = std::min(common, direct(k * 1e-4, k * 1e-4, bits, scheme));
      double grid = std::numeric_limits<double>::infinity();
      for (int i = 1; i <= 100; ++i) {
        for (int j = 1; j <= 100; ++j) grid = std::min(grid, direct(i * 1e-2, j * 1e-2, bits, scheme));
      }
      const double asym = quantisation_mse(x, calibrate(x, options(bits, scheme, CalibrationMethod::mse)));
      EXPECT_LE(asym, common * 1.005) << bits << " bits";
      EXPECT_LE(asym, grid * 1.005) << bits << " bits";
      std::cout << bits << " asym " << asym / common << " " << asym / grid << "\n";
    }
  }
}

TEST(QuantCalibration, PerColumnCalibratesEachFeature) {
  // Activations [tokens x features] with one outlier feature.
  FloatMatrix x = test::normal_matrix(200, 6, 31);
  x.col(4) *= 50;
  auto opt = options(8, QuantScheme::symmetric, CalibrationMethod::min_max);
  opt.granularity = Granularity::per_column;
  const auto p = calibrate(x, opt);
  ASSERT_EQ(p.channels(), 6u);
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const float amax = x.col(c).cwiseAbs().maxCoeff();
    EXPECT_EQ(p.scales[static_cast<std::size_t>(c)], params_from_range(-amax, amax, 8, opt.scheme).scales[0]);
  }
  EXPECT_GT(p.scales[4], 10 * p.scales[0]);
}

TEST(QuantCalibration, RejectsBadInput) {
  using test::expect_error;
  const std::vector<float> x{1, -2, 3};
  auto opt = options(8, QuantScheme::symmetric, CalibrationMethod::percentile);
  for (const int bits : {-1, 0, 1, 17, 32}) {
    opt.bits = bits;
    expect_error([&] { (void)calibrate(x, opt); }, "allowed 2..16");
  }
  opt.bits = 8;
  for (const double pct : {0.0, -5.0, 100.01, std::nan("")}) {
    opt.percentile = pct;
    expect_error([&] { (void)calibrate(x, opt); }, "allowed (0, 100]");
    expect_error([&] { (void)percentile(x, pct); }, "allowed (0, 100]");
  }
  opt.percentile = 99;
  expect_error([&] { (void)calibrate(std::vector<float>{}, opt); }, "no data");
  expect_error([&] { (void)calibrate(FloatMatrix(0, 3), opt); }, "no data");
  expect_error([&] { (void)calibrate(std::vector<float>{1, INFINITY}, opt); }, "not finite");
  expect_error([&] { (void)percentile(std::vector<float>{NAN}, 50); }, "not finite");
  FloatMatrix m = test::normal_matrix(3, 3, 1);
  m(2, 1) = NAN;
  opt.method = CalibrationMethod::mse;
  expect_error([&] { (void)calibrate(m, opt); }, "not finite");
  opt.granularity = Granularity::per_row;
  expect_error([&] { (void)calibrate(x, opt); }, "per-tensor");
}

}  // namespace vitdse::arith

// Trio-ViT transforms: output preservation, the ratio definition and its clamps, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "arith/quantiser_test_util.hpp"
#include "vitdse/arith/quantiser.hpp"
#include "vitdse/arith/trio_transforms.hpp"

namespace vitdse::arith {

namespace {

using DoubleMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Activations [128 tokens x 48 channels]: N(0, 1) channels, two outliers at 60x, one quiet
/// channel at 0.02x.
FloatMatrix activations_with_outliers(unsigned seed) {
  FloatMatrix x = test::normal_matrix(128, 48, seed);
  x.col(5) *= 60;
  x.col(17) *= 60;
  x.col(30) *= 0.02f;
  return x;
}

/// y = x w^T + b in double.
DoubleMatrix linear(const FloatMatrix& x, const FloatMatrix& w, const std::vector<float>& b) {
  DoubleMatrix y = x.cast<double>() * w.cast<double>().transpose();
  for (Eigen::Index o = 0; o < y.cols(); ++o) {
    if (!b.empty()) y.col(o).array() += b[static_cast<std::size_t>(o)];
  }
  return y;
}

/// Checks a float layer output against the double reference: every element within 1e-5 of
/// its own magnitude scale (|x| |w|^T + |b|), and 1e-5 relative in the Frobenius norm.
void expect_same_output(const DoubleMatrix& got, const DoubleMatrix& want, const DoubleMatrix& magnitude) {
  EXPECT_LE((got - want).norm(), 1e-5 * want.norm());
  EXPECT_LE(((got - want).cwiseAbs().array() / magnitude.array()).maxCoeff(), 1e-5);
}

/// The per-channel maxima |x| and the reference ratio of the definition, computed directly.
std::vector<float> reference_ratios(const FloatMatrix& x, float lo, float hi) {
  std::vector<double> maxima;
  for (Eigen::Index c = 0; c < x.cols(); ++c) maxima.push_back(x.col(c).cwiseAbs().maxCoeff());
  std::vector<double> sorted(maxima);
  std::sort(sorted.begin(), sorted.end());
  const double rank = 0.99 * static_cast<double>(sorted.size() - 1);
  const auto k = static_cast<std::size_t>(rank);
  const double p99 =
      sorted[k] + (rank - static_cast<double>(k)) * (sorted[std::min(k + 1, sorted.size() - 1)] - sorted[k]);
  const double mean = std::accumulate(maxima.begin(), maxima.end(), 0.0) / static_cast<double>(maxima.size());
  std::vector<float> r;
  for (const double m : maxima) r.push_back(std::clamp(static_cast<float>(m / std::max(p99, mean)), lo, hi));
  return r;
}

/// max over channels of max |x_c|, over their median.
double range_spread(const FloatMatrix& x) {
  std::vector<float> ranges;
  for (Eigen::Index c = 0; c < x.cols(); ++c) ranges.push_back(x.col(c).cwiseAbs().maxCoeff());
  return *std::max_element(ranges.begin(), ranges.end()) / percentile(ranges, 50);
}

}  // namespace

TEST(TrioMigration, RatiosFollowTheDefinition) {
  const FloatMatrix x = activations_with_outliers(1);
  const auto r = migration_ratios(x);
  const auto expected = reference_ratios(x, 0.1f, 64);
  ASSERT_EQ(r.size(), expected.size());
  for (std::size_t c = 0; c < r.size(); ++c) EXPECT_FLOAT_EQ(r[c], expected[c]) << c;
  // Two outliers among 48 channels: the 99th percentile of the maxima sits between them.
  EXPECT_GT(r[5], 0.5f);
  EXPECT_GT(r[17], 0.5f);
  EXPECT_EQ(r[0], 0.1f);
}

TEST(TrioMigration, ClampsRatiosAtOneTenthAndSixtyFour) {
  // 256 channels with maxima: one at 1e4, one at 1e-4, eight at 20, the rest at 1. The 99th
  // percentile is 20 and the mean ~40.7, so the giant's ratio (~246) clamps to 64, the tiny
  // one and the ones (~0.025) clamp to 1/10, and the twenties (~0.49) are left alone.
  FloatMatrix x(4, 256);
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    const float m = c == 0 ? 1e4f : c == 1 ? 1e-4f : c < 10 ? 20.0f : 1.0f;
    x.col(c) << m, -m / 2, 0, m / 3;
  }
  const auto r = migration_ratios(x);
  EXPECT_EQ(r[0], 64.0f);
  EXPECT_EQ(r[1], 0.1f);
  EXPECT_EQ(r[200], 0.1f);
  const double mean = (1e4 + 1e-4 + 8 * 20.0 + 246) / 256;
  EXPECT_FLOAT_EQ(r[5], static_cast<float>(20 / mean));
  EXPECT_EQ(reference_ratios(x, 0.1f, 64), r);
  // Custom clamps and percentile.
  MigrationOptions opt;
  opt.min_ratio = 0.5f;
  opt.max_ratio = 2;
  opt.percentile = 50;  // the median maximum is 1; the mean ~40.7 still wins
  const auto c = migration_ratios(x, opt);
  EXPECT_EQ(c[0], 2.0f);
  EXPECT_EQ(c[1], 0.5f);
  EXPECT_EQ(c[200], 0.5f);
  // All zero: nothing to migrate.
  EXPECT_EQ(migration_ratios(FloatMatrix::Zero(3, 4)), std::vector<float>(4, 1.0f));
}

TEST(TrioMigration, PreservesLinearOutput) {
  const FloatMatrix x = activations_with_outliers(2), w = test::normal_matrix(32, 48, 3);
  const auto r = migration_ratios(x);
  FloatMatrix x2 = x, w2 = w;
  migrate_activations(x2, r);
  migrate_linear_weights(w2, r);
  const FloatMatrix y2 = x2 * w2.transpose();  // the migrated layer, run in float
  const DoubleMatrix magnitude = x.cwiseAbs().cast<double>() * w.cwiseAbs().cast<double>().transpose();
  expect_same_output(y2.cast<double>(), linear(x, w, {}), magnitude);
  // The migration did something: the activations changed a lot.
  EXPECT_GT((x2 - x).cwiseAbs().maxCoeff(), 1.0f);
}

TEST(TrioMigration, PreservesDepthwiseOutput) {
  // A 1-D depthwise convolution along the tokens with 3 taps: out(t, c) = sum_k x(t + k, c) w(c, k).
  const FloatMatrix x = activations_with_outliers(4), w = test::normal_matrix(48, 3, 5);
  const auto conv = [](const FloatMatrix& in, const FloatMatrix& taps) {
    DoubleMatrix out = DoubleMatrix::Zero(in.rows() - 2, in.cols());
    for (Eigen::Index t = 0; t < out.rows(); ++t) {
      for (Eigen::Index c = 0; c < in.cols(); ++c) {
        float sum = 0;  // in float, as the migrated layer would run
        for (Eigen::Index k = 0; k < 3; ++k) sum += in(t + k, c) * taps(c, k);
        out(t, c) = sum;
      }
    }
    return out;
  };
  const auto r = migration_ratios(x);
  FloatMatrix x2 = x, w2 = w;
  migrate_activations(x2, r);
  migrate_depthwise_weights(w2, r);
  const FloatMatrix xa = x.cwiseAbs(), wa = w.cwiseAbs();
  expect_same_output(conv(x2, w2), conv(x, w), conv(xa, wa));
}

TEST(TrioMigration, EqualisesChannelRangesAndHelpsPerTensorQuantisation) {
  const FloatMatrix x = activations_with_outliers(6), w = test::normal_matrix(32, 48, 7);
  const auto r = migration_ratios(x);
  FloatMatrix x2 = x, w2 = w;
  migrate_activations(x2, r);
  migrate_linear_weights(w2, r);
  const double before = range_spread(x), after = range_spread(x2);
  EXPECT_GT(before, 30);
  EXPECT_LT(after, before / 4);
  // 8-bit per-tensor activations: the output error falls once the channels are migrated.
  CalibrationOptions opt;
  const DoubleMatrix y = linear(x, w, {});
  const FloatMatrix xq = fake_quantise(x, calibrate(x, opt)), x2q = fake_quantise(x2, calibrate(x2, opt));
  const double plain = (linear(xq, w, {}) - y).norm(), migrated = (linear(x2q, w2, {}) - y).norm();
  EXPECT_LT(migrated, plain / 3);
}

TEST(TrioShift, PreservesOutputAndCentresChannels) {
  // One-sided channels with assorted offsets, as after GELU or a residual add.
  FloatMatrix x = test::normal_matrix(96, 40, 8).cwiseAbs();
  for (Eigen::Index c = 0; c < x.cols(); ++c) x.col(c).array() += 20.0f * std::sin(static_cast<float>(c));
  const FloatMatrix w = test::normal_matrix(24, 40, 9);
  const auto b = test::normal(24, 0, 1, 10);
  const auto m = channel_midpoints(x);
  const auto b2 = fold_shift_into_bias(w, b, m);
  FloatMatrix x2 = x;
  shift_activations(x2, m);
  FloatMatrix y2 = x2 * w.transpose();  // the shifted layer, run in float
  for (Eigen::Index o = 0; o < y2.cols(); ++o) y2.col(o).array() += b2[static_cast<std::size_t>(o)];
  DoubleMatrix magnitude = x.cwiseAbs().cast<double>() * w.cwiseAbs().cast<double>().transpose();
  for (Eigen::Index o = 0; o < magnitude.cols(); ++o)
    magnitude.col(o).array() += std::abs(b[static_cast<std::size_t>(o)]);
  expect_same_output(y2.cast<double>(), linear(x, w, b), magnitude);
  for (Eigen::Index c = 0; c < x2.cols(); ++c) {
    const float hi = x2.col(c).maxCoeff(), lo = x2.col(c).minCoeff();
    EXPECT_NEAR(hi, -lo, 1e-5f * std::abs(m[static_cast<std::size_t>(c)]) + 1e-6f) << c;
  }
  // An empty bias stands for zeros.
  const auto folded = fold_shift_into_bias(w, {}, m);
  for (Eigen::Index o = 0; o < w.rows(); ++o) {
    double sum = 0;
    for (Eigen::Index i = 0; i < w.cols(); ++i) sum += double{w(o, i)} * m[static_cast<std::size_t>(i)];
    EXPECT_FLOAT_EQ(folded[static_cast<std::size_t>(o)], static_cast<float>(sum));
  }
  // Symmetric per-tensor quantisation of the centred activations loses far less.
  CalibrationOptions opt;
  opt.bits = 6;
  EXPECT_LT(quantisation_mse(x2, calibrate(x2, opt)), quantisation_mse(x, calibrate(x, opt)) / 4);
}

TEST(TrioTransforms, RejectBadInput) {
  using test::expect_error;
  FloatMatrix x = test::normal_matrix(4, 3, 1), w = test::normal_matrix(2, 3, 2);
  const std::vector<float> ok{1, 2, 3};
  expect_error([&] { (void)migration_ratios(FloatMatrix(0, 3)); }, "empty");
  FloatMatrix bad = x;
  bad(1, 1) = NAN;
  expect_error([&] { (void)migration_ratios(bad); }, "non-finite");
  expect_error([&] { (void)channel_midpoints(bad); }, "non-finite");
  MigrationOptions opt;
  opt.min_ratio = 0;
  expect_error([&] { (void)migration_ratios(x, opt); }, "allowed 0 < min <= 1 <= max");
  opt = {};
  opt.max_ratio = 0.5f;
  expect_error([&] { (void)migration_ratios(x, opt); }, "allowed 0 < min <= 1 <= max");
  opt = {};
  opt.percentile = 0;
  expect_error([&] { (void)migration_ratios(x, opt); }, "allowed (0, 100]");
  expect_error([&] { migrate_activations(x, std::vector<float>{1, 2}); }, "2 ratios for 3 channels");
  expect_error([&] { migrate_linear_weights(w, std::vector<float>{1, 0, 1}); }, "allowed finite values > 0");
  expect_error([&] { migrate_depthwise_weights(w, ok); }, "3 ratios for 2 channels");
  expect_error([&] { shift_activations(x, std::vector<float>{1}); }, "1 midpoints for 3 channels");
  expect_error([&] { (void)fold_shift_into_bias(w, std::vector<float>{1, 2, 3}, ok); }, "3 bias values for 2");
  expect_error([&] { (void)fold_shift_into_bias(w, {}, std::vector<float>{1}); }, "1 midpoints for 3");
}

}  // namespace vitdse::arith

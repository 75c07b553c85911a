// Uniform quantisers: rounding, saturation, code ranges, granularity and scheme, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "arith/quantiser_test_util.hpp"
#include "vitdse/arith/quantiser.hpp"

namespace vitdse::arith {

namespace {

constexpr QuantScheme kSchemes[] = {QuantScheme::symmetric, QuantScheme::asymmetric};

std::vector<float> uniform(std::size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> x(n);
  for (auto& v : x) v = d(rng);
  return x;
}

}  // namespace

TEST(QuantUniform, DocumentedExampleAndTies) {
  const auto p = params_from_range(-127.0f, 127.0f, 8, QuantScheme::symmetric);
  ASSERT_EQ(p.scales[0], 1.0f);
  EXPECT_EQ(quantise_value(300.0f, p), 127);
  // Round half to even on x / s.
  EXPECT_EQ(quantise_value(0.5f, p), 0);
  EXPECT_EQ(quantise_value(1.5f, p), 2);
  EXPECT_EQ(quantise_value(2.5f, p), 2);
  EXPECT_EQ(quantise_value(-2.5f, p), -2);
  EXPECT_EQ(quantise_value(-3.5f, p), -4);
  EXPECT_EQ(quantise_value(2.5000002f, p), 3);
  // Asymmetric: [0, 6] on 4 bits is s = 0.4, z = 0; [-1, 2] on 2 bits is s = 1, z = 1.
  const auto a = params_from_range(0.0f, 6.0f, 4, QuantScheme::asymmetric);
  EXPECT_FLOAT_EQ(a.scales[0], 0.4f);
  EXPECT_EQ(a.zero_points[0], 0);
  const auto b = params_from_range(-1.0f, 2.0f, 2, QuantScheme::asymmetric);
  EXPECT_EQ(b.scales[0], 1.0f);
  EXPECT_EQ(b.zero_points[0], 1);
  EXPECT_EQ(quantise_value(-1.0f, b), 0);
  EXPECT_EQ(dequantise_value(3, b), 2.0f);
}

TEST(QuantUniform, RoundTripWithinHalfAStep) {
  const auto x = uniform(4000, -3.0f, 5.0f, 11);
  for (const auto scheme : kSchemes) {
    for (int bits = 2; bits <= 16; ++bits) {
      const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
      const auto p = params_from_range(*lo, *hi, bits, scheme);
      const auto y = fake_quantise(x, p);
      const double s = p.scales[0], z = p.zero_points[0];
      // The grid's span. Rounding the zero point to an integer can leave the data's ends up to
      // half a step outside it, and the float scale a sliver more (qmax · 2^-24 steps).
      const double first = (p.qmin() - z) * s, last = (p.qmax() - z) * s, sliver = p.qmax() * s * 0x1p-23;
      std::size_t unclipped = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        // Half a step, plus the rounding of the dequantised value to float.
        const double err = std::abs(static_cast<double>(x[i]) - y[i]), bound = s / 2 + std::abs(x[i]) * 0x1p-23;
        if (x[i] >= first && x[i] <= last) {
          ++unclipped;
          ASSERT_LE(err, bound) << bits << " bits, x = " << x[i];
        } else {
          ASSERT_LE(err, bound + sliver) << bits << " bits, x = " << x[i];
        }
      }
      EXPECT_GE(unclipped, x.size() * 9 / 10) << bits;
    }
  }
}

TEST(QuantUniform, SaturatesAtTheRangeEnds) {
  const auto s = params_from_range(-1.0f, 1.0f, 8, QuantScheme::symmetric);
  EXPECT_EQ(quantise_value(1e30f, s), 127);
  EXPECT_EQ(quantise_value(-1e30f, s), -127);  // restricted range: never -128
  EXPECT_EQ(quantise_value(-1.0f, s), -127);
  EXPECT_EQ(fake_quantise(std::vector<float>{1e30f}, s)[0], dequantise_value(127, s));
  const auto a = params_from_range(-1.0f, 3.0f, 8, QuantScheme::asymmetric);
  EXPECT_EQ(quantise_value(1e30f, a), 255);
  EXPECT_EQ(quantise_value(-1e30f, a), 0);
  EXPECT_NEAR(fake_quantise(std::vector<float>{100.0f}, a)[0], 3.0f, a.scales[0] / 2);
  EXPECT_NEAR(fake_quantise(std::vector<float>{-100.0f}, a)[0], -1.0f, a.scales[0] / 2);
}

TEST(QuantUniform, CodesStayInRangeForEveryWidth) {
  const auto x = test::laplace(5000, 1.0, 3);
  for (const auto scheme : kSchemes) {
    for (int bits = 2; bits <= 16; ++bits) {
      // Calibrate on a narrower range than the data so both ends saturate.
      const auto p = params_from_range(-0.5f, 0.7f, bits, scheme);
      const std::int32_t qmax = scheme == QuantScheme::symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
      const std::int32_t qmin = scheme == QuantScheme::symmetric ? -qmax : 0;
      ASSERT_EQ(p.qmin(), qmin);
      ASSERT_EQ(p.qmax(), qmax);
      const auto q = quantise(x, p);
      EXPECT_EQ(*std::min_element(q.begin(), q.end()), qmin) << bits;
      EXPECT_EQ(*std::max_element(q.begin(), q.end()), qmax) << bits;
    }
  }
}

TEST(QuantUniform, EveryCodeSurvivesDequantiseThenQuantise) {
  for (const auto scheme : kSchemes) {
    for (int bits = 2; bits <= 16; ++bits) {
      const auto p = params_from_range(-0.3f, 1.7f, bits, scheme);
      std::vector<std::int32_t> codes;
      for (std::int32_t q = p.qmin(); q <= p.qmax(); ++q) codes.push_back(q);
      EXPECT_EQ(quantise(dequantise(codes, p), p), codes) << bits;
    }
  }
}

TEST(QuantUniform, ZeroIsExact) {
  for (const auto scheme : kSchemes) {
    for (int bits = 2; bits <= 16; ++bits) {
      // Ranges that exclude zero are widened to include it.
      for (const auto& [lo, hi] : {std::pair{0.3f, 2.9f}, std::pair{-5.1f, -0.2f}, std::pair{-0.77f, 3.1f}}) {
        const auto p = params_from_range(lo, hi, bits, scheme);
        EXPECT_EQ(fake_quantise(std::vector<float>{0.0f}, p)[0], 0.0f) << bits;
      }
    }
  }
  const auto zero = params_from_range(0.0f, 0.0f, 8, QuantScheme::symmetric);
  EXPECT_GT(zero.scales[0], 0.0f);
  EXPECT_EQ(fake_quantise(std::vector<float>{0.0f, 0.0f}, zero), (std::vector<float>{0.0f, 0.0f}));
}

TEST(QuantUniform, ErrorFallsWithEveryExtraBit) {
  const auto x = test::laplace(20000, 1.0, 5);
  for (const auto scheme : kSchemes) {
    for (const auto method : {CalibrationMethod::min_max, CalibrationMethod::mse}) {
      double previous = std::numeric_limits<double>::infinity();
      for (int bits = 2; bits <= 16; ++bits) {
        CalibrationOptions opt;
        opt.bits = bits;
        opt.scheme = scheme;
        opt.method = method;
        const double mse = quantisation_mse(x, calibrate(x, opt));
        EXPECT_LT(mse, previous) << bits << " bits";
        previous = mse;
      }
    }
  }
}

TEST(QuantUniform, PerChannelBeatsPerTensorOnUnevenRows) {
  // Weight rows whose scales span 2^-6 .. 2^7.
  FloatMatrix w = test::normal_matrix(14, 64, 21);
  for (Eigen::Index r = 0; r < w.rows(); ++r) w.row(r) *= std::ldexp(1.0f, static_cast<int>(r) - 6);
  for (const auto scheme : kSchemes) {
    CalibrationOptions opt;
    opt.bits = 6;
    opt.scheme = scheme;
    const double tensor = quantisation_mse(w, calibrate(w, opt));
    opt.granularity = Granularity::per_row;
    const auto rows = calibrate(w, opt);
    ASSERT_EQ(rows.channels(), 14u);
    const double channel = quantisation_mse(w, rows);
    EXPECT_LT(channel, tensor / 4);
    // The same data as activations [tokens x features]: per column.
    const FloatMatrix a = w.transpose();
    opt.granularity = Granularity::per_column;
    const auto cols = calibrate(a, opt);
    ASSERT_EQ(cols.channels(), 14u);
    EXPECT_NEAR(quantisation_mse(a, cols), channel, channel * 1e-9);
  }
}

TEST(QuantUniform, MatrixFormsUseEachElementsChannel) {
  const FloatMatrix x = test::normal_matrix(5, 7, 8);
  CalibrationOptions opt;
  opt.bits = 5;
  opt.scheme = QuantScheme::asymmetric;
  for (const auto g : {Granularity::per_tensor, Granularity::per_row, Granularity::per_column}) {
    opt.granularity = g;
    const auto p = calibrate(x, opt);
    const CodeMatrix q = quantise(x, p);
    const FloatMatrix y = dequantise(q, p);
    EXPECT_EQ(fake_quantise(x, p), y);
    for (Eigen::Index r = 0; r < x.rows(); ++r) {
      for (Eigen::Index c = 0; c < x.cols(); ++c) {
        const std::size_t ch = g == Granularity::per_row ? r : g == Granularity::per_column ? c : 0;
        EXPECT_EQ(q(r, c), quantise_value(x(r, c), p, ch));
        EXPECT_EQ(y(r, c), dequantise_value(q(r, c), p, ch));
      }
    }
  }
  // Per-tensor matrix and span forms agree.
  const auto p = params_from_range(-1.0f, 1.0f, 4, QuantScheme::symmetric);
  const FloatMatrix y = fake_quantise(x, p);
  const auto v = fake_quantise(std::span<const float>(x.data(), static_cast<std::size_t>(x.size())), p);
  EXPECT_TRUE(std::equal(v.begin(), v.end(), y.data()));
}

TEST(QuantUniform, AsymmetricBeatsSymmetricOnOneSidedData) {
  auto x = test::normal(20000, 0, 1, 9);
  for (auto& v : x) v = std::max(v, 0.0f);  // post-ReLU
  for (int bits = 2; bits <= 8; ++bits) {
    CalibrationOptions opt;
    opt.bits = bits;
    const double sym = quantisation_mse(x, calibrate(x, opt));
    opt.scheme = QuantScheme::asymmetric;
    const double asym = quantisation_mse(x, calibrate(x, opt));
    EXPECT_LT(asym, sym / 2) << bits << " bits";
  }
}

TEST(QuantUniform, RejectsBadInput) {
  using test::expect_error;
  const std::vector<float> x{1, 2, 3};
  expect_error([] { (void)params_from_range(-1, 1, 1, QuantScheme::symmetric); }, "allowed 2..16");
  expect_error([] { (void)params_from_range(-1, 1, 17, QuantScheme::asymmetric); }, "allowed 2..16");
  expect_error([] { (void)params_from_range(1, -1, 8, QuantScheme::asymmetric); }, "lo <= hi");
  expect_error([] { (void)params_from_range(0, INFINITY, 8, QuantScheme::symmetric); }, "finite");
  const auto p = params_from_range(-1, 1, 8, QuantScheme::symmetric);
  expect_error([&] { (void)quantise(std::vector<float>{}, p); }, "no data");
  expect_error([&] { (void)quantise(std::vector<float>{1, NAN}, p); }, "index 1 is not finite");
  expect_error([&] { (void)fake_quantise(std::vector<float>{-INFINITY}, p); }, "not finite");
  expect_error([&] { (void)dequantise(std::vector<std::int32_t>{-128}, p); }, "outside -127..127");
  expect_error([&] { (void)dequantise_value(0, p, 1); }, "allowed 0..0");
  auto bad = p;
  bad.scales[0] = 0;
  expect_error([&] { (void)quantise(x, bad); }, "allowed finite values > 0");
  bad = p;
  bad.zero_points[0] = 3;
  expect_error([&] { (void)quantise(x, bad); }, "allowed 0..0");
  bad.scheme = QuantScheme::asymmetric;
  bad.zero_points[0] = 256;
  expect_error([&] { (void)quantise(x, bad); }, "allowed 0..255");
  bad = p;
  bad.scales.push_back(1);
  bad.zero_points.push_back(0);
  expect_error([&] { (void)quantise(x, bad); }, "exactly 1 scale");
  bad.granularity = Granularity::per_row;
  expect_error([&] { (void)quantise(x, bad); }, "per-tensor parameters");
  expect_error([&] { (void)quantise(test::normal_matrix(3, 2, 1), bad); }, "2 channels but the matrix has 3 rows");
  bad.bits = 0;
  expect_error([&] { (void)quantise(test::normal_matrix(2, 2, 1), bad); }, "allowed 2..16");
}

TEST(QuantUniform, BytesAreTheCodesLowBytes) {
  const std::vector<float> x{-3.0f, -0.5f, 0.0f, 0.26f, 1.0f, 2.5f, 100.0f, -100.0f};
  const auto p = params_from_range(-2.0f, 2.0f, 8, QuantScheme::symmetric);
  const auto codes = quantise(std::span<const float>(x), p);
  std::vector<std::uint8_t> bytes(x.size());
  quantise_to_bytes(x, p, bytes);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(bytes[i], static_cast<std::uint8_t>(codes[i] & 0xff)) << i;
  EXPECT_EQ(bytes.back(), 0x81);  // -127 saturates to the restricted range
  std::vector<std::uint8_t> short_out(2);
  test::expect_error([&] { quantise_to_bytes(x, p, short_out); }, "output size");
  test::expect_error([&] { quantise_to_bytes(x, params_from_range(-2.0f, 2.0f, 12, QuantScheme::symmetric), bytes); },
                     "do not fit a byte");
}

TEST(QuantUniform, ByteKernelAgreesWithTheElementQuantiserOnTiesAndRandomValues) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> wide(-3.0f, 3.0f);
  for (const auto scheme : {QuantScheme::symmetric, QuantScheme::asymmetric}) {
    for (int bits = 2; bits <= 8; ++bits) {
      const auto p = params_from_range(-1.3f, 2.1f, bits, scheme);
      std::vector<float> x;
      for (int k = -300; k <= 300; ++k) x.push_back((static_cast<float>(k) + 0.5f) * p.scales[0]);  // ties
      for (int i = 0; i < 1000; ++i) x.push_back(wide(rng));
      std::vector<std::uint8_t> bytes(x.size());
      quantise_to_bytes(x, p, bytes);
      for (std::size_t i = 0; i < x.size(); ++i) {
        ASSERT_EQ(bytes[i], static_cast<std::uint8_t>(quantise_value(x[i], p) & 0xff)) << bits << " " << x[i];
      }
    }
  }
}

// Independently of the quantiser's own rounding: the C library's nearbyint in the default
// round-to-nearest-even mode, on ties, random values, values far past the range and the
// extreme floats, at every width up to 16 bits.
TEST(QuantUniform, CodesAreNearbyintOfTheScaledValueClamped) {
  ASSERT_EQ(std::fegetround(), FE_TONEAREST);
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> wide(-5.0f, 5.0f);
  for (const auto scheme : {QuantScheme::symmetric, QuantScheme::asymmetric}) {
    for (int bits = 2; bits <= 16; ++bits) {
      const auto p = params_from_range(-1.3f, 2.1f, bits, scheme);
      const double scale = p.scales[0], zero = p.zero_points[0];
      const double qmin = scheme == QuantScheme::symmetric ? -((1 << (bits - 1)) - 1) : 0;
      const double qmax = scheme == QuantScheme::symmetric ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
      std::vector<float> x{0.0f,
                           -0.0f,
                           std::numeric_limits<float>::max(),
                           std::numeric_limits<float>::lowest(),
                           std::numeric_limits<float>::denorm_min(),
                           1e30f,
                           -1e30f};
      for (int k = -400; k <= 400; ++k) x.push_back((static_cast<float>(k) + 0.5f) * p.scales[0]);
      for (int i = 0; i < 2000; ++i) x.push_back(wide(rng));
      const auto codes = quantise(std::span<const float>(x), p);
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double expected = std::clamp(std::nearbyint(static_cast<double>(x[i]) / scale) + zero, qmin, qmax);
        ASSERT_EQ(codes[i], static_cast<std::int32_t>(expected)) << bits << " bits, x = " << x[i];
      }
    }
  }
}

}  // namespace vitdse::arith

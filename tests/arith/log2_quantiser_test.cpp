// Log2 quantisation: powers of two, log-domain rounding, clamping, zero and shift division.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "arith/quantiser_test_util.hpp"
#include "vitdse/arith/log2_quantiser.hpp"

namespace vitdse::arith {

namespace {

/// True when v is +-2^k for an integer k.
bool is_power_of_two(float v) {
  int e = 0;
  return v != 0 && std::abs(std::frexp(v, &e)) == 0.5f;
}

/// Random values whose magnitudes are log-uniform over 2^lo .. 2^hi, both signs.
std::vector<float> log_uniform(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> exponent(lo, hi);
  std::bernoulli_distribution negative(0.5);
  std::vector<float> x(n);
  for (auto& v : x) v = static_cast<float>((negative(rng) ? -1 : 1) * std::exp2(exponent(rng)));
  return x;
}

}  // namespace

TEST(Log2Quantiser, DocumentedExamples) {
  const auto q = Log2Quantiser::trio_vit_denominator();
  EXPECT_EQ(q.min_exponent(), -6);
  EXPECT_EQ(q.max_exponent(), 9);
  EXPECT_EQ(q.domain(), Log2Domain::positive_only);
  EXPECT_EQ(q.quantise(100.0f), 128.0f);
  EXPECT_EQ(q.quantise(0.0f), 0.015625f);
  EXPECT_EQ(shift_divide(3.0f, q.encode(100.0f)), 3.0f / 128.0f);
  EXPECT_EQ(shift_divide(6.0f, Log2Code{-1, 2}), -1.5f);
}

TEST(Log2Quantiser, ValuesArePowersOfTwoNearestInTheLogDomain) {
  const Log2Quantiser q(-20, 20);
  for (const float x : log_uniform(20000, -19.5, 19.5, 3)) {
    const Log2Code code = q.encode(x);
    const float y = q.quantise(x);
    ASSERT_TRUE(is_power_of_two(y)) << x;
    ASSERT_EQ(y, code.value());
    ASSERT_EQ(std::signbit(y), std::signbit(x)) << x;
    ASSERT_EQ(y, std::ldexp(x < 0 ? -1.0f : 1.0f, code.exponent));
    // Inside the range, no other power of two is closer in log2.
    ASSERT_LE(std::abs(std::log2(std::abs(static_cast<double>(x))) - code.exponent), 0.5) << x;
  }
}

TEST(Log2Quantiser, RoundsAtTheGeometricMidpoint) {
  const Log2Quantiser q(-30, 30);
  EXPECT_EQ(q.quantise(3.0f), 4.0f);    // log2 3 = 1.58
  EXPECT_EQ(q.quantise(1.4f), 1.0f);    // log2 1.4 = 0.49
  EXPECT_EQ(q.quantise(1.42f), 2.0f);   // log2 1.42 = 0.51
  EXPECT_EQ(q.quantise(0.75f), 1.0f);   // log2 0.75 = -0.42
  EXPECT_EQ(q.quantise(-0.7f), -0.5f);  // log2 0.7 = -0.51
  EXPECT_EQ(q.quantise(1.5f), 2.0f);    // nearest by value would tie; log2 1.5 = 0.58
  for (int k = -20; k <= 20; ++k) {
    // The floats either side of 2^(k + 1/2), which no float equals.
    const double mid = std::sqrt(2.0) * std::ldexp(1.0, k);
    const auto nearest = static_cast<float>(mid);
    const float below = nearest < mid ? nearest : std::nextafter(nearest, 0.0f);
    const float above = nearest > mid ? nearest : std::nextafter(nearest, 1e30f);
    EXPECT_EQ(q.quantise(below), std::ldexp(1.0f, k)) << k;
    EXPECT_EQ(q.quantise(above), std::ldexp(1.0f, k + 1)) << k;
    EXPECT_EQ(q.quantise(-above), -std::ldexp(1.0f, k + 1)) << k;
    EXPECT_EQ(q.quantise(std::ldexp(1.0f, k)), std::ldexp(1.0f, k));
  }
}

TEST(Log2Quantiser, ClampsToTheExponentRange) {
  const auto denominator = Log2Quantiser::trio_vit_denominator();
  EXPECT_EQ(denominator.quantise(1e6f), 512.0f);
  EXPECT_EQ(denominator.quantise(724.0f), 512.0f);
  EXPECT_EQ(denominator.quantise(1e-9f), 0x1p-6f);
  EXPECT_EQ(denominator.quantise(0.0f), 0x1p-6f);
  EXPECT_EQ(denominator.quantise(-0.0f), 0x1p-6f);
  EXPECT_EQ(denominator.quantise(-5.0f), 0x1p-6f);  // positive only: never a negative divisor
  const Log2Quantiser signed_q(-6, 9);
  EXPECT_EQ(signed_q.quantise(-1e6f), -512.0f);
  EXPECT_EQ(signed_q.quantise(1e-9f), 0x1p-6f);
  EXPECT_EQ(signed_q.quantise(-1e-9f), -0x1p-6f);
  EXPECT_EQ(signed_q.encode(0.0f).sign, 0);
  EXPECT_EQ(signed_q.encode(-0.0f).sign, 0);
  EXPECT_EQ(signed_q.quantise(0.0f), 0.0f);
  for (const auto& q : {denominator, signed_q}) {
    for (const float x : log_uniform(5000, -40, 40, 5)) {
      const Log2Code code = q.encode(x);
      ASSERT_GE(code.exponent, -6) << x;
      ASSERT_LE(code.exponent, 9) << x;
      ASSERT_GT(std::abs(q.quantise(x)), 0.0f);
    }
  }
  const auto y = denominator.quantise(std::vector<float>{0.0f, 3.0f, 1e9f});
  EXPECT_EQ(y, (std::vector<float>{0x1p-6f, 4.0f, 512.0f}));
  // The full normal range.
  const Log2Quantiser wide(-126, 127);
  EXPECT_EQ(wide.quantise(std::numeric_limits<float>::max()), 0x1p127f);
  EXPECT_EQ(wide.quantise(std::numeric_limits<float>::denorm_min()), 0x1p-126f);
}

TEST(Log2Quantiser, ShiftDivisionEqualsFloatDivision) {
  const Log2Quantiser q(-6, 9);
  auto xs = log_uniform(2000, -30, 30, 7);
  xs.insert(xs.end(), {0.0f, -0.0f, 1.0f, -3.0f, std::numeric_limits<float>::max()});
  for (const float x : xs) {
    for (int e = -6; e <= 9; ++e) {
      for (const std::int8_t sign : {std::int8_t{-1}, std::int8_t{1}}) {
        const Log2Code code{sign, e};
        const float expected = x / code.value();
        // Bitwise: sign of zero and overflow to infinity included.
        ASSERT_EQ(std::bit_cast<std::uint32_t>(shift_divide(x, code)), std::bit_cast<std::uint32_t>(expected))
            << x << " / " << code.value();
      }
    }
  }
  // Results that leave the normal range: subnormal (correctly rounded) and infinite.
  for (const float x : log_uniform(2000, -126, 127, 9)) {
    for (const int e : {-126, -100, 100, 127}) {
      const Log2Code code{1, e};
      ASSERT_EQ(std::bit_cast<std::uint32_t>(shift_divide(x, code)), std::bit_cast<std::uint32_t>(x / code.value()))
          << x << " / 2^" << e;
    }
  }
  // Divisors straight from the quantiser.
  const auto d = Log2Quantiser::trio_vit_denominator();
  for (const float x : log_uniform(1000, -10, 12, 11)) {
    const float denom = std::abs(x);
    EXPECT_EQ(shift_divide(1.7f, d.encode(denom)), 1.7f / d.quantise(denom));
  }
}

TEST(Log2Quantiser, RejectsBadInput) {
  using test::expect_error;
  expect_error([] { Log2Quantiser(9, -6); }, "allowed min <= max within -126..127");
  expect_error([] { Log2Quantiser(-127, 0); }, "allowed min <= max within -126..127");
  expect_error([] { Log2Quantiser(0, 128, Log2Domain::positive_only); }, "-126..127");
  const Log2Quantiser q(-6, 9);
  expect_error([&] { (void)q.encode(NAN); }, "not finite");
  expect_error([&] { (void)q.quantise(std::vector<float>{1.0f, -INFINITY}); }, "not finite");
  expect_error([] { (void)shift_divide(1.0f, Log2Code{0, 3}); }, "must be nonzero");
  expect_error([] { (void)shift_divide(1.0f, Log2Code{2, 3}); }, "allowed -1, 0 or +1");
  expect_error([] { (void)shift_divide(1.0f, Log2Code{1, 200}); }, "allowed -126..127");
  expect_error([] { (void)shift_divide(INFINITY, Log2Code{1, 0}); }, "not finite");
}

}  // namespace vitdse::arith

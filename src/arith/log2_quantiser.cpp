// Power-of-two quantisation: log-domain rounding, exponent clamping and shift division.
#include "vitdse/arith/log2_quantiser.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

// Powers of two that are normal floats.
constexpr int kMinExponent = -126;
constexpr int kMaxExponent = 127;

void check_finite(float x, const char* where) {
  if (!std::isfinite(x))
    throw Error(std::string(where) + ": value " + std::to_string(x) + " is not finite; only finite values are allowed");
}

}  // namespace

Log2Quantiser::Log2Quantiser(int min_exponent, int max_exponent, Log2Domain domain)
    : min_exponent_(min_exponent), max_exponent_(max_exponent), domain_(domain) {
  if (min_exponent < kMinExponent || max_exponent > kMaxExponent || min_exponent > max_exponent)
    throw Error("log2 quantiser: exponent range " + std::to_string(min_exponent) + ".." + std::to_string(max_exponent) +
                " is invalid; allowed min <= max within -126..127");
}

Log2Code Log2Quantiser::encode(float x) const {
  check_finite(x, "log2 quantiser");
  if (domain_ == Log2Domain::positive_only && x <= 0) return {1, min_exponent_};
  if (x == 0) return {0, 0};
  // |x| = m · 2^e with m in [0.5, 1): log2 |x| = e + log2 m, and log2 m rounds to 0 when
  // m >= 2^-1/2, else to -1. m is a float and 2^-1/2 is irrational, so it is never a tie.
  int e = 0;
  const double m = std::frexp(static_cast<double>(std::abs(x)), &e);
  const int rounded = m >= std::sqrt(0.5) ? e : e - 1;
  return {static_cast<std::int8_t>(x < 0 ? -1 : 1), std::clamp(rounded, min_exponent_, max_exponent_)};
}

std::vector<float> Log2Quantiser::quantise(std::span<const float> x) const {
  std::vector<float> y(x.size());
  std::transform(x.begin(), x.end(), y.begin(), [this](float v) { return quantise(v); });
  return y;
}

float shift_divide(float x, Log2Code q) {
  check_finite(x, "shift_divide");
  if (q.sign == 0) throw Error("shift_divide: the divisor is the zero code; a log2 divisor must be nonzero");
  if (q.sign != 1 && q.sign != -1)
    throw Error("shift_divide: code sign " + std::to_string(q.sign) + " is invalid; allowed -1, 0 or +1");
  if (q.exponent < kMinExponent || q.exponent > kMaxExponent)
    throw Error("shift_divide: exponent " + std::to_string(q.exponent) + " is out of range; allowed -126..127");
  const float shifted = std::ldexp(x, -q.exponent);
  return q.sign < 0 ? -shifted : shifted;
}

}  // namespace vitdse::arith

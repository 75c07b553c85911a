// Power-of-two (log2) quantisation, whose codes turn division into an exponent shift.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace vitdse::arith {

/// A log2 code: the value sign · 2^exponent, or zero when sign is 0.
struct Log2Code {
  std::int8_t sign = 0;  ///< -1, 0 (the value zero) or +1
  int exponent = 0;      ///< meaningful only when sign != 0

  [[nodiscard]] float value() const { return sign == 0 ? 0.0f : static_cast<float>(sign) * std::ldexp(1.0f, exponent); }
};

/// Which values a log2 quantiser accepts.
enum class Log2Domain {
  /// Any finite value: x -> sign(x) · 2^e; exactly 0 stays 0, and every other value keeps its
  /// sign, saturating at ±2^min_exponent rather than flushing to zero.
  signed_values,
  /// Divisors such as softmax-free attention's denominators: every value <= 0 (and every
  /// positive one below the range) becomes 2^min_exponent, so a code is always a valid divisor.
  positive_only,
};

/// x -> sign · 2^clamp(round(log2 |x|), min_exponent, max_exponent). The rounding is in the
/// log domain: the boundary between 2^k and 2^(k+1) is 2^(k+1/2), and no float lies on it, so
/// there are no ties. Exponents are limited to -126..127, where powers of two are normal
/// floats. Non-finite inputs throw Error.
///
///     auto q = Log2Quantiser::trio_vit_denominator();  // positive, 2^-6 .. 2^9
///     q.quantise(100.0f) == 128.0f;
///     q.quantise(0.0f) == 0.015625f;  // 2^-6
///     shift_divide(3.0f, q.encode(100.0f)) == 3.0f / 128.0f;
class Log2Quantiser {
 public:
  /// Throws Error unless -126 <= min_exponent <= max_exponent <= 127.
  Log2Quantiser(int min_exponent, int max_exponent, Log2Domain domain = Log2Domain::signed_values);

  /// Trio-ViT's clamp for the attention denominator: positive, exponents -6..9.
  static Log2Quantiser trio_vit_denominator() { return {-6, 9, Log2Domain::positive_only}; }

  [[nodiscard]] Log2Code encode(float x) const;
  [[nodiscard]] float quantise(float x) const { return encode(x).value(); }
  [[nodiscard]] std::vector<float> quantise(std::span<const float> x) const;

  [[nodiscard]] int min_exponent() const { return min_exponent_; }
  [[nodiscard]] int max_exponent() const { return max_exponent_; }
  [[nodiscard]] Log2Domain domain() const { return domain_; }

 private:
  int min_exponent_;
  int max_exponent_;
  Log2Domain domain_;
};

/// x / q.value() computed as a shift of x's exponent by -q.exponent (and a sign flip): what a
/// divider-free datapath does. It equals the float division x / q.value() exactly, since both
/// are the correctly rounded x · 2^-e. Dividing by the zero code or by a non-finite x throws.
///
///     shift_divide(6.0f, Log2Code{-1, 2}) == -1.5f;
float shift_divide(float x, Log2Code q);

}  // namespace vitdse::arith

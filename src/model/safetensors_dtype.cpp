// safetensors element types: names, sizes, and the binary16 / bfloat16 <-> float conversions.
#include <bit>
#include <cmath>
#include <cstdint>

#include "vitdse/model/safetensors.hpp"

namespace vitdse::model {

std::string to_string(Dtype dtype) {
  switch (dtype) {
    case Dtype::boolean:
      return "BOOL";
    case Dtype::u8:
      return "U8";
    case Dtype::i8:
      return "I8";
    case Dtype::u16:
      return "U16";
    case Dtype::i16:
      return "I16";
    case Dtype::u32:
      return "U32";
    case Dtype::i32:
      return "I32";
    case Dtype::u64:
      return "U64";
    case Dtype::i64:
      return "I64";
    case Dtype::f8_e4m3:
      return "F8_E4M3";
    case Dtype::f8_e5m2:
      return "F8_E5M2";
    case Dtype::f16:
      return "F16";
    case Dtype::bf16:
      return "BF16";
    case Dtype::f32:
      return "F32";
    case Dtype::f64:
      return "F64";
  }
  return "?";
}

std::size_t dtype_size(Dtype dtype) {
  switch (dtype) {
    case Dtype::boolean:
    case Dtype::u8:
    case Dtype::i8:
    case Dtype::f8_e4m3:
    case Dtype::f8_e5m2:
      return 1;
    case Dtype::u16:
    case Dtype::i16:
    case Dtype::f16:
    case Dtype::bf16:
      return 2;
    case Dtype::u32:
    case Dtype::i32:
    case Dtype::f32:
      return 4;
    case Dtype::u64:
    case Dtype::i64:
    case Dtype::f64:
      return 8;
  }
  return 1;
}

bool is_float_dtype(Dtype dtype) {
  return dtype == Dtype::f16 || dtype == Dtype::bf16 || dtype == Dtype::f32 || dtype == Dtype::f64;
}

float half_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu;
  const std::uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign != 0 ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) {
    // Infinity (mantissa 0) or NaN; the payload moves to the top of the float mantissa.
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  }
  return std::bit_cast<float>(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

std::uint16_t float_to_half(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) {
    if (magnitude == 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7c00u);
    // NaN: keep the top payload bits and force the quiet bit so it cannot become infinity.
    return static_cast<std::uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  }
  if (magnitude >= 0x47800000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65536: overflow
  const std::uint32_t exponent = magnitude >> 23;                                   // biased float exponent
  std::uint32_t result = 0;
  std::uint32_t remainder = 0;
  std::uint32_t halfway = 0;
  if (exponent >= 113) {
    // Normal half (>= 2^-14): rebias the exponent and drop 13 mantissa bits.
    result = ((exponent - 112) << 10) | ((magnitude & 0x7fffffu) >> 13);
    remainder = magnitude & 0x1fffu;
    halfway = 0x1000u;
  } else if (exponent >= 102) {
    // Subnormal half: the value in units of 2^-24 is (1.mantissa) * 2^(exponent - 126).
    const std::uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126 - exponent;  // 14..24
    result = significand >> shift;
    remainder = significand & ((1u << shift) - 1u);
    halfway = 1u << (shift - 1);
  } else {
    return sign;  // below 2^-25: rounds to zero
  }
  // Round to nearest, ties to even; a carry into the exponent is the correct result.
  if (remainder > halfway || (remainder == halfway && (result & 1u) != 0)) ++result;
  return static_cast<std::uint16_t>(sign | result);
}

float bfloat16_to_float(std::uint16_t bits) { return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16); }

std::uint16_t float_to_bfloat16(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);  // quiet NaN
  const std::uint32_t rounding = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>((bits + rounding) >> 16);
}

}  // namespace vitdse::model

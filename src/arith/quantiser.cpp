// Uniform quantisers: parameters, quantise / dequantise over spans and matrices, and their error.
#include "vitdse/arith/quantiser.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "quantiser_grid.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace detail {

void check_bits(int bits, const std::string& where) {
  if (bits < kMinBits || bits > kMaxBits)
    throw Error(where + ": " + std::to_string(bits) + " bits is out of range; allowed 2..16");
}

void check_finite(std::span<const float> x, std::string_view where) {
  if (x.empty()) throw Error(std::string(where) + ": no data; need at least one value");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]))
      throw Error(std::string(where) + ": value " + std::to_string(x[i]) + " at index " + std::to_string(i) +
                  " is not finite; only finite values are allowed");
  }
}

ChannelGrid grid_for_range(double lo, double hi, int bits, QuantScheme scheme) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  QuantParams shape;
  shape.bits = bits;
  shape.scheme = scheme;
  const double qmax = shape.qmax();
  // Symmetric grids span [-qmax, qmax] codes; asymmetric ones all 2^b - 1 steps.
  const double wanted = scheme == QuantScheme::symmetric ? std::max(-lo, hi) / qmax : (hi - lo) / qmax;
  float scale = static_cast<float>(wanted);
  // An all-zero (or underflowing) range still needs a usable, positive scale.
  if (!(scale >= std::numeric_limits<float>::min())) scale = std::numeric_limits<float>::min();
  double zero = 0;
  if (scheme == QuantScheme::asymmetric) zero = std::clamp(round_half_even(-lo / scale), 0.0, qmax);
  return {scale, zero, static_cast<double>(shape.qmin()), qmax};
}

ChannelGrid grid_of(const QuantParams& p, std::size_t channel) {
  return {p.scales[channel], static_cast<double>(p.zero_points[channel]), static_cast<double>(p.qmin()),
          static_cast<double>(p.qmax())};
}

double sum_squared_error(std::span<const float> x, const ChannelGrid& g) {
  double sum = 0;
  for (const float v : x) {
    const double e = static_cast<double>(v) - static_cast<double>(g.fake(v));
    sum += e * e;
  }
  return sum;
}

}  // namespace detail

using detail::grid_of;

namespace {

/// The channel that element (row, col) of a matrix belongs to.
std::size_t channel_of(const QuantParams& p, Eigen::Index row, Eigen::Index col) {
  switch (p.granularity) {
    case Granularity::per_row:
      return static_cast<std::size_t>(row);
    case Granularity::per_column:
      return static_cast<std::size_t>(col);
    case Granularity::per_tensor:
      break;
  }
  return 0;
}

void check_shape(const QuantParams& p, Eigen::Index rows, Eigen::Index cols, const std::string& where) {
  if (rows == 0 || cols == 0) throw Error(where + ": the matrix is empty; need at least one value");
  const char* what = p.granularity == Granularity::per_row ? "rows" : "columns";
  const auto wanted = static_cast<std::size_t>(p.granularity == Granularity::per_row ? rows : cols);
  if (p.granularity != Granularity::per_tensor && p.channels() != wanted)
    throw Error(where + ": parameters have " + std::to_string(p.channels()) + " channels but the matrix has " +
                std::to_string(wanted) + " " + what);
}

void check_per_tensor(const QuantParams& p, std::string_view where) {
  p.validate();
  if (p.granularity != Granularity::per_tensor)
    throw Error(std::string(where) +
                ": a span takes per-tensor parameters; use the matrix form for per-row or per-column ones");
}

void check_code(std::int32_t q, const QuantParams& p, const std::string& where) {
  if (q < p.qmin() || q > p.qmax())
    throw Error(where + ": code " + std::to_string(q) + " is outside " + std::to_string(p.qmin()) + ".." +
                std::to_string(p.qmax()));
}

std::vector<float> finite_copy(const FloatMatrix& x, const std::string& where) {
  std::vector<float> values(x.data(), x.data() + x.size());
  detail::check_finite(values, where);
  return values;
}

}  // namespace

void QuantParams::validate() const {
  detail::check_bits(bits, "quantiser");
  if (scales.empty() || scales.size() != zero_points.size())
    throw Error("quantiser: " + std::to_string(scales.size()) + " scales and " + std::to_string(zero_points.size()) +
                " zero points; need the same number, at least one");
  if (granularity == Granularity::per_tensor && scales.size() != 1)
    throw Error("quantiser: per-tensor parameters need exactly 1 scale, not " + std::to_string(scales.size()));
  for (std::size_t c = 0; c < scales.size(); ++c) {
    if (!(std::isfinite(scales[c]) && scales[c] > 0))
      throw Error("quantiser: scale " + std::to_string(scales[c]) + " of channel " + std::to_string(c) +
                  " is invalid; allowed finite values > 0");
    const std::int32_t lo = is_signed() ? 0 : qmin(), hi = is_signed() ? 0 : qmax();
    if (zero_points[c] < lo || zero_points[c] > hi)
      throw Error("quantiser: zero point " + std::to_string(zero_points[c]) + " of channel " + std::to_string(c) +
                  " is out of range; allowed " + std::to_string(lo) + ".." + std::to_string(hi));
  }
}

QuantParams params_from_range(float lo, float hi, int bits, QuantScheme scheme) {
  return params_from_ranges(std::span<const float>(&lo, 1), std::span<const float>(&hi, 1), bits, scheme,
                            Granularity::per_tensor);
}

QuantParams params_from_ranges(std::span<const float> lo, std::span<const float> hi, int bits, QuantScheme scheme,
                               Granularity granularity) {
  detail::check_bits(bits, "params_from_ranges");
  if (lo.empty() || lo.size() != hi.size())
    throw Error("params_from_ranges: " + std::to_string(lo.size()) + " lower and " + std::to_string(hi.size()) +
                " upper bounds; need the same number, at least one");
  if (granularity == Granularity::per_tensor && lo.size() != 1)
    throw Error("params_from_ranges: per-tensor parameters take exactly 1 range, not " + std::to_string(lo.size()));
  QuantParams p;
  p.bits = bits;
  p.scheme = scheme;
  p.granularity = granularity;
  p.scales.clear();
  p.zero_points.clear();
  for (std::size_t c = 0; c < lo.size(); ++c) {
    if (!std::isfinite(lo[c]) || !std::isfinite(hi[c]) || lo[c] > hi[c])
      throw Error("params_from_ranges: range [" + std::to_string(lo[c]) + ", " + std::to_string(hi[c]) +
                  "] of channel " + std::to_string(c) + " is invalid; need finite lo <= hi");
    const auto g = detail::grid_for_range(lo[c], hi[c], bits, scheme);
    p.scales.push_back(g.scale);
    p.zero_points.push_back(static_cast<std::int32_t>(g.zero));
  }
  return p;
}

std::int32_t quantise_value(float x, const QuantParams& p, std::size_t channel) {
  p.validate();
  if (channel >= p.channels())
    throw Error("quantise_value: channel " + std::to_string(channel) + " is out of range; allowed 0.." +
                std::to_string(p.channels() - 1));
  detail::check_finite(std::span<const float>(&x, 1), "quantise_value");
  return grid_of(p, channel).code(x);
}

float dequantise_value(std::int32_t q, const QuantParams& p, std::size_t channel) {
  p.validate();
  if (channel >= p.channels())
    throw Error("dequantise_value: channel " + std::to_string(channel) + " is out of range; allowed 0.." +
                std::to_string(p.channels() - 1));
  check_code(q, p, "dequantise_value");
  return grid_of(p, channel).value(q);
}

std::vector<std::int32_t> quantise(std::span<const float> x, const QuantParams& p) {
  check_per_tensor(p, "quantise");
  detail::check_finite(x, "quantise");
  const auto g = grid_of(p, 0);
  std::vector<std::int32_t> q(x.size());
  std::transform(x.begin(), x.end(), q.begin(), [&](float v) { return g.code(v); });
  return q;
}

void quantise_to_bytes(std::span<const float> x, const QuantParams& p, std::span<std::uint8_t> out) {
  check_per_tensor(p, "quantise_to_bytes");
  if (p.bits > 8) throw Error("quantise_to_bytes: " + std::to_string(p.bits) + "-bit codes do not fit a byte");
  if (out.size() != x.size()) throw Error("quantise_to_bytes: output size differs from the input's");
  if (x.empty()) return;
  detail::check_finite(x, "quantise_to_bytes");
  // The evaluator quantises every GEMM operand through here. With AVX-512, 16 values at a time
  // (with AVX2, 8): the same double division, rounding to nearest even encoded in the instruction
  // (not taken from the floating-point environment), zero point, clamp and low byte as
  // ChannelGrid::code().
  const auto g = grid_of(p, 0);
  std::size_t i = 0;
#if defined(__AVX512F__)
  const __m512d scale = _mm512_set1_pd(g.scale), zero = _mm512_set1_pd(g.zero), lo = _mm512_set1_pd(g.qmin),
                hi = _mm512_set1_pd(g.qmax);
  const auto codes8 = [&](const float* v) {
    __m512d q = _mm512_div_pd(_mm512_cvtps_pd(_mm256_loadu_ps(v)), scale);
    q = _mm512_roundscale_pd(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm512_cvttpd_epi32(_mm512_min_pd(_mm512_max_pd(_mm512_add_pd(q, zero), lo), hi));
  };
  for (; i + 16 <= x.size(); i += 16) {
    const __m512i q = _mm512_inserti64x4(_mm512_castsi256_si512(codes8(x.data() + i)), codes8(x.data() + i + 8), 1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.data() + i), _mm512_cvtepi32_epi8(q));
  }
#elif defined(__AVX2__)
  const __m256d scale = _mm256_set1_pd(g.scale), zero = _mm256_set1_pd(g.zero), lo = _mm256_set1_pd(g.qmin),
                hi = _mm256_set1_pd(g.qmax);
  const auto codes4 = [&](const float* v) {
    __m256d q = _mm256_div_pd(_mm256_cvtps_pd(_mm_loadu_ps(v)), scale);
    q = _mm256_round_pd(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_cvttpd_epi32(_mm256_min_pd(_mm256_max_pd(_mm256_add_pd(q, zero), lo), hi));
  };
  // The low byte of each 32-bit code: bytes 0, 4, 8 and 12 of one half, then of the other.
  const __m128i low_bytes = _mm_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  const __m128i high_bytes = _mm_setr_epi8(-1, -1, -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1);
  for (; i + 8 <= x.size(); i += 8) {
    const __m128i q = _mm_or_si128(_mm_shuffle_epi8(codes4(x.data() + i), low_bytes),
                                   _mm_shuffle_epi8(codes4(x.data() + i + 4), high_bytes));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out.data() + i), q);
  }
#endif
  for (; i < x.size(); ++i) out[i] = static_cast<std::uint8_t>(g.code(x[i]));
}

std::vector<float> dequantise(std::span<const std::int32_t> q, const QuantParams& p) {
  check_per_tensor(p, "dequantise");
  const auto g = grid_of(p, 0);
  std::vector<float> x(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) {
    check_code(q[i], p, "dequantise");
    x[i] = g.value(q[i]);
  }
  return x;
}

std::vector<float> fake_quantise(std::span<const float> x, const QuantParams& p) {
  check_per_tensor(p, "fake_quantise");
  detail::check_finite(x, "fake_quantise");
  const auto g = grid_of(p, 0);
  std::vector<float> y(x.size());
  std::transform(x.begin(), x.end(), y.begin(), [&](float v) { return g.fake(v); });
  return y;
}

CodeMatrix quantise(const FloatMatrix& x, const QuantParams& p) {
  p.validate();
  check_shape(p, x.rows(), x.cols(), "quantise");
  finite_copy(x, "quantise");
  CodeMatrix q(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) q(r, c) = grid_of(p, channel_of(p, r, c)).code(x(r, c));
  }
  return q;
}

FloatMatrix dequantise(const CodeMatrix& q, const QuantParams& p) {
  p.validate();
  check_shape(p, q.rows(), q.cols(), "dequantise");
  FloatMatrix x(q.rows(), q.cols());
  for (Eigen::Index r = 0; r < q.rows(); ++r) {
    for (Eigen::Index c = 0; c < q.cols(); ++c) {
      check_code(q(r, c), p, "dequantise");
      x(r, c) = grid_of(p, channel_of(p, r, c)).value(q(r, c));
    }
  }
  return x;
}

FloatMatrix fake_quantise(const FloatMatrix& x, const QuantParams& p) {
  p.validate();
  check_shape(p, x.rows(), x.cols(), "fake_quantise");
  finite_copy(x, "fake_quantise");
  FloatMatrix y(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) y(r, c) = grid_of(p, channel_of(p, r, c)).fake(x(r, c));
  }
  return y;
}

double quantisation_mse(std::span<const float> x, const QuantParams& p) {
  check_per_tensor(p, "quantisation_mse");
  detail::check_finite(x, "quantisation_mse");
  return detail::sum_squared_error(x, grid_of(p, 0)) / static_cast<double>(x.size());
}

double quantisation_mse(const FloatMatrix& x, const QuantParams& p) {
  p.validate();
  check_shape(p, x.rows(), x.cols(), "quantisation_mse");
  finite_copy(x, "quantisation_mse");
  double sum = 0;
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    for (Eigen::Index c = 0; c < x.cols(); ++c) {
      const float v = x(r, c);
      const double e = static_cast<double>(v) - static_cast<double>(grid_of(p, channel_of(p, r, c)).fake(v));
      sum += e * e;
    }
  }
  return sum / static_cast<double>(x.size());
}

}  // namespace vitdse::arith

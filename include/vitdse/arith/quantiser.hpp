// Uniform integer quantisers for weights and activations, and their calibration.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vitdse/core/eigen.hpp"

namespace vitdse::arith {

using vitdse::FloatMatrix;
/// Integer codes laid out like the FloatMatrix they came from.
using CodeMatrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// How real values map onto the integer grid.
enum class QuantScheme {
  /// Signed codes in the restricted range [-(2^(b-1)-1), 2^(b-1)-1], zero point 0. The code
  /// -2^(b-1) is never produced: the grid is then symmetric about zero (negation is exact)
  /// and every code has a b-bit magnitude, which the sign-magnitude multipliers need.
  symmetric,
  /// Unsigned codes in [0, 2^b-1] with an integer zero point in the same range.
  asymmetric,
};

/// Which values share one scale and zero point.
enum class Granularity {
  per_tensor,  ///< one pair for the whole tensor
  per_row,     ///< one pair per row: per output channel of a weight [out x in]
  per_column,  ///< one pair per column: per feature of an activation [tokens x features]
};

/// Scales and zero points of a uniform quantiser: q = clamp(round(x / s) + z, qmin, qmax),
/// x' = (q - z) · s. `round` is round-half-to-even on x / s computed in double: unbiased on
/// ties, the rule of IEEE 754's default mode and of PyTorch's fake quantisation, and
/// independent of the caller's floating-point environment.
///
///     auto p = params_from_range(-127.0f, 127.0f, 8, QuantScheme::symmetric);  // scale 1
///     quantise_value(2.5f, p) == 2;    // the tie goes to the even code
///     quantise_value(300.0f, p) == 127;  // saturates
struct QuantParams {
  int bits = 8;  ///< 2..16
  QuantScheme scheme = QuantScheme::symmetric;
  Granularity granularity = Granularity::per_tensor;
  std::vector<float> scales{1.0f};           ///< one per channel; finite and > 0
  std::vector<std::int32_t> zero_points{0};  ///< one per channel; 0 when symmetric

  [[nodiscard]] bool is_signed() const { return scheme == QuantScheme::symmetric; }
  [[nodiscard]] std::int32_t qmin() const { return is_signed() ? -qmax_signed() : 0; }
  [[nodiscard]] std::int32_t qmax() const {
    return is_signed() ? qmax_signed() : static_cast<std::int32_t>((std::int32_t{1} << bits) - 1);
  }
  [[nodiscard]] std::size_t channels() const { return scales.size(); }

  /// Throws Error unless bits, scheme, scales and zero points are consistent and in range.
  void validate() const;

 private:
  [[nodiscard]] std::int32_t qmax_signed() const { return (std::int32_t{1} << (bits - 1)) - 1; }
};

/// Per-tensor parameters whose grid covers [lo, hi]. The range is first widened to include 0
/// so that zero (padding, ReLU output) is exactly representable. Symmetric: s = max(|lo|,
/// |hi|) / qmax. Asymmetric: s = (hi - lo) / (2^b - 1), z = round(-lo / s). An all-zero range
/// gets the smallest normal float as its scale.
///
///     auto p = params_from_range(0.0f, 6.0f, 4, QuantScheme::asymmetric);  // s = 0.4, z = 0
QuantParams params_from_range(float lo, float hi, int bits, QuantScheme scheme);

/// The same per channel: lo[c], hi[c] give channel c's range; granularity must not be
/// per_tensor unless there is exactly one channel.
QuantParams params_from_ranges(std::span<const float> lo, std::span<const float> hi, int bits, QuantScheme scheme,
                               Granularity granularity);

/// One value through channel `channel`'s grid, saturating at qmin / qmax.
std::int32_t quantise_value(float x, const QuantParams& p, std::size_t channel = 0);
/// One code back to a real value.
float dequantise_value(std::int32_t q, const QuantParams& p, std::size_t channel = 0);

/// A span holds one tensor, so these need per-tensor parameters; non-finite inputs throw.
///
///     auto codes = quantise(std::span<const float>(x), p);
std::vector<std::int32_t> quantise(std::span<const float> x, const QuantParams& p);
std::vector<float> dequantise(std::span<const std::int32_t> q, const QuantParams& p);
/// quantise() written as each code's two's-complement low byte (-1 -> 0xFF), the operand
/// layout of lookup-table GEMMs; codes must fit 8 bits. `out` holds x.size() bytes.
void quantise_to_bytes(std::span<const float> x, const QuantParams& p, std::span<std::uint8_t> out);
/// quantise then dequantise: the value the integer datapath stands for.
std::vector<float> fake_quantise(std::span<const float> x, const QuantParams& p);

/// Matrix forms; per_row / per_column parameters need one channel per row / column.
CodeMatrix quantise(const FloatMatrix& x, const QuantParams& p);
FloatMatrix dequantise(const CodeMatrix& q, const QuantParams& p);
FloatMatrix fake_quantise(const FloatMatrix& x, const QuantParams& p);

/// Mean of (x - fake_quantise(x))^2, accumulated in double.
double quantisation_mse(std::span<const float> x, const QuantParams& p);
double quantisation_mse(const FloatMatrix& x, const QuantParams& p);

/// How calibration picks each channel's range.
enum class CalibrationMethod {
  /// [min, max] of the data (symmetric: max |x|).
  min_max,
  /// Symmetric: the p-th percentile of |x|. Asymmetric: [P(100 - p), P(p)] of x.
  percentile,
  /// The clip that minimises the quantisation MSE. Clip ratios a in [2^-12, 1] scale the ends
  /// of the min-max range (widened to hold 0), and are searched in log2 a since heavy tails put
  /// the best clip far below the maximum. Each line search is a grid of step 1/12 octave (5.9%)
  /// then golden-section search over the cells either side of the best grid point, to a
  /// bracket below 1e-7 octaves. Symmetric: one ratio for both ends. Asymmetric: from the best
  /// common ratio, up to four rounds of a centre search (one end's ratio up as the other's goes
  /// down) and a width search (both together), so a one-sided heavy tail can be clipped alone.
  /// Only improvements are kept and a = 1 is always tried, so the MSE is never above min-max's.
  mse,
};

/// What to calibrate and how.
struct CalibrationOptions {
  int bits = 8;  ///< 2..16
  QuantScheme scheme = QuantScheme::symmetric;
  Granularity granularity = Granularity::per_tensor;
  CalibrationMethod method = CalibrationMethod::min_max;
  double percentile = 99.99;  ///< for CalibrationMethod::percentile; (0, 100]
};

/// Calibrates parameters on sample data. Empty or non-finite data, bits outside 2..16 and a
/// percentile outside (0, 100] throw Error.
///
///     CalibrationOptions opt;
///     opt.method = CalibrationMethod::mse;
///     opt.granularity = Granularity::per_row;  // weights: per output channel
///     auto p = calibrate(weights, opt);
///     FloatMatrix wq = fake_quantise(weights, p);
QuantParams calibrate(const FloatMatrix& x, const CalibrationOptions& options);
/// Span form: per-tensor only.
QuantParams calibrate(std::span<const float> x, const CalibrationOptions& options);

/// The p-th percentile (p in (0, 100]) with linear interpolation between order statistics
/// (numpy's default): rank p/100 · (n - 1). Empty or non-finite data throw Error.
///
///     percentile(std::vector<float>{1, 2, 3, 4}, 50) == 2.5;
double percentile(std::span<const float> x, double p);

}  // namespace vitdse::arith

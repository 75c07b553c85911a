// Trio-ViT's output-preserving activation transforms: channel-wise migration and filter-wise shifting.
#pragma once

#include <span>
#include <vector>

#include "vitdse/arith/quantiser.hpp"

namespace vitdse::arith {

/// The clamps and reference level of channel-wise migration.
struct MigrationOptions {
  double percentile = 99;  ///< taken over the per-channel maxima; (0, 100]
  float min_ratio = 0.1f;  ///< lower clamp; (0, 1]
  float max_ratio = 64;    ///< upper clamp; finite and >= 1
};

/// Channel-wise migration ratios for the input channels (columns) of calibration activations
/// x [tokens x channels] (Shi et al., Trio-ViT, arXiv 2405.03882):
///
///     M_c = max over tokens |x(t, c)|
///     ref = max(P99 of {M_c}, mean of {M_c})   (the percentile as in percentile())
///     r_c = clamp(M_c / ref, 1/10, 64)
///
/// Outlier channels (above ref) get r_c > 1 and are scaled down; quiet ones get r_c < 1 and
/// are scaled up, so channel ranges meet near ref and a per-tensor quantiser fits them all.
/// Dividing the activations by r_c and multiplying the matching weights by r_c leaves the
/// layer's output unchanged. All-zero activations (ref = 0) get ratios of 1.
///
///     auto r = migration_ratios(x);
///     migrate_activations(x, r);       // x(:, c) / r_c
///     migrate_linear_weights(w, r);    // w(:, c) * r_c, w [out x in]
std::vector<float> migration_ratios(const FloatMatrix& x, const MigrationOptions& options = {});

/// Divides column c of activations x [tokens x channels] by ratios[c].
void migrate_activations(FloatMatrix& x, std::span<const float> ratios);
/// Multiplies input column c of a linear (or pointwise-conv) weight w [out x in] by ratios[c].
void migrate_linear_weights(FloatMatrix& w, std::span<const float> ratios);
/// Multiplies the filter of channel c of a depthwise-conv weight w [channels x taps] (row c,
/// the k·k taps flattened) by ratios[c]: channel c's output only reads input channel c.
void migrate_depthwise_weights(FloatMatrix& w, std::span<const float> ratios);

/// Filter-wise shifting's per-channel midpoints m_c = (max_c + min_c) / 2 over the tokens of
/// x [tokens x channels]. Subtracting them centres each channel on zero, halving the range a
/// symmetric quantiser has to cover for one-sided channels.
///
///     auto m = channel_midpoints(x);
///     auto b2 = fold_shift_into_bias(w, b, m);  // b + W m
///     shift_activations(x, m);                  // x - m: now x W^T + b2 is the old output
std::vector<float> channel_midpoints(const FloatMatrix& x);

/// Subtracts midpoints[c] from column c of x.
void shift_activations(FloatMatrix& x, std::span<const float> midpoints);

/// The bias that keeps y = x W^T + b unchanged once the inputs are shifted: b' = b + W m, for
/// W [out x in], accumulated in double. An empty bias stands for zeros.
std::vector<float> fold_shift_into_bias(const FloatMatrix& w, std::span<const float> bias,
                                        std::span<const float> midpoints);

}  // namespace vitdse::arith

// Trio-ViT's channel-wise migration and filter-wise shifting over calibration activations.
#include "vitdse/arith/trio_transforms.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

void check_matrix(const FloatMatrix& x, const std::string& where) {
  if (x.size() == 0) throw Error(where + ": the matrix is empty; need at least one value");
  if (!x.allFinite()) throw Error(where + ": the matrix holds a non-finite value; only finite values are allowed");
}

void check_length(std::span<const float> v, Eigen::Index wanted, const std::string& where, const char* what) {
  if (v.size() != static_cast<std::size_t>(wanted))
    throw Error(where + ": " + std::to_string(v.size()) + " " + what + " for " + std::to_string(wanted) +
                " channels; need one per channel");
}

void check_ratios(std::span<const float> ratios, Eigen::Index channels, const std::string& where) {
  check_length(ratios, channels, where, "ratios");
  for (std::size_t c = 0; c < ratios.size(); ++c) {
    if (!(std::isfinite(ratios[c]) && ratios[c] > 0))
      throw Error(where + ": ratio " + std::to_string(ratios[c]) + " of channel " + std::to_string(c) +
                  " is invalid; allowed finite values > 0");
  }
}

}  // namespace

std::vector<float> migration_ratios(const FloatMatrix& x, const MigrationOptions& options) {
  if (!(options.percentile > 0 && options.percentile <= 100))
    throw Error("migration_ratios: percentile " + std::to_string(options.percentile) +
                " is out of range; allowed (0, 100]");
  if (!(options.min_ratio > 0 && options.min_ratio <= 1 && options.max_ratio >= 1 && std::isfinite(options.max_ratio)))
    throw Error("migration_ratios: ratio clamp [" + std::to_string(options.min_ratio) + ", " +
                std::to_string(options.max_ratio) + "] is invalid; allowed 0 < min <= 1 <= max, finite");
  check_matrix(x, "migration_ratios");
  std::vector<float> maxima(static_cast<std::size_t>(x.cols()));
  for (Eigen::Index c = 0; c < x.cols(); ++c) maxima[static_cast<std::size_t>(c)] = x.col(c).cwiseAbs().maxCoeff();
  const double mean = std::accumulate(maxima.begin(), maxima.end(), 0.0) / static_cast<double>(maxima.size());
  const double reference = std::max(percentile(maxima, options.percentile), mean);
  std::vector<float> ratios(maxima.size(), 1.0f);
  if (reference == 0) return ratios;  // nothing to migrate
  for (std::size_t c = 0; c < maxima.size(); ++c) {
    const auto r = static_cast<float>(static_cast<double>(maxima[c]) / reference);
    ratios[c] = std::clamp(r, options.min_ratio, options.max_ratio);
  }
  return ratios;
}

void migrate_activations(FloatMatrix& x, std::span<const float> ratios) {
  check_ratios(ratios, x.cols(), "migrate_activations");
  for (Eigen::Index c = 0; c < x.cols(); ++c) x.col(c) /= ratios[static_cast<std::size_t>(c)];
}

void migrate_linear_weights(FloatMatrix& w, std::span<const float> ratios) {
  check_ratios(ratios, w.cols(), "migrate_linear_weights");
  for (Eigen::Index c = 0; c < w.cols(); ++c) w.col(c) *= ratios[static_cast<std::size_t>(c)];
}

void migrate_depthwise_weights(FloatMatrix& w, std::span<const float> ratios) {
  check_ratios(ratios, w.rows(), "migrate_depthwise_weights");
  for (Eigen::Index c = 0; c < w.rows(); ++c) w.row(c) *= ratios[static_cast<std::size_t>(c)];
}

std::vector<float> channel_midpoints(const FloatMatrix& x) {
  check_matrix(x, "channel_midpoints");
  std::vector<float> mid(static_cast<std::size_t>(x.cols()));
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    // In double: max + min of two large floats could overflow.
    const double hi = x.col(c).maxCoeff(), lo = x.col(c).minCoeff();
    mid[static_cast<std::size_t>(c)] = static_cast<float>((hi + lo) / 2);
  }
  return mid;
}

void shift_activations(FloatMatrix& x, std::span<const float> midpoints) {
  check_length(midpoints, x.cols(), "shift_activations", "midpoints");
  for (Eigen::Index c = 0; c < x.cols(); ++c) x.col(c).array() -= midpoints[static_cast<std::size_t>(c)];
}

std::vector<float> fold_shift_into_bias(const FloatMatrix& w, std::span<const float> bias,
                                        std::span<const float> midpoints) {
  check_matrix(w, "fold_shift_into_bias");
  check_length(midpoints, w.cols(), "fold_shift_into_bias", "midpoints");
  if (!bias.empty()) check_length(bias, w.rows(), "fold_shift_into_bias", "bias values");
  std::vector<float> folded(static_cast<std::size_t>(w.rows()));
  for (Eigen::Index o = 0; o < w.rows(); ++o) {
    double sum = bias.empty() ? 0.0 : static_cast<double>(bias[static_cast<std::size_t>(o)]);
    for (Eigen::Index i = 0; i < w.cols(); ++i)
      sum += static_cast<double>(w(o, i)) * static_cast<double>(midpoints[static_cast<std::size_t>(i)]);
    folded[static_cast<std::size_t>(o)] = static_cast<float>(sum);
  }
  return folded;
}

}  // namespace vitdse::arith

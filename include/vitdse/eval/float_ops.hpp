// The float32 operations of a ViT forward pass, written once for the engine and its references.
#pragma once

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/vit_weights.hpp"

namespace vitdse::eval {

/// out = x W^T + b (out is resized).
void linear(const FloatMatrix& x, const Linear& layer, FloatMatrix& out);

/// Each row's mean and 1/sqrt(var + eps), which LayerNorm's gradient needs.
struct NormStats {
  Eigen::VectorXf mean;
  Eigen::VectorXf inv_std;
};

/// LayerNorm over each row: (x - mean) / sqrt(var + eps) · gamma + beta, with the biased
/// variance as PyTorch computes it. With `stats`, also records each row's statistics.
void layer_norm(const FloatMatrix& x, const Norm& norm, double eps, FloatMatrix& out, NormStats* stats = nullptr);
/// GELU with erf, in place: x · (1 + erf(x / sqrt 2)) / 2 (nn.GELU's default).
void gelu_erf(FloatMatrix& x);
/// GELU's derivative at each entry of `x`: Φ(x) + x·φ(x).
FloatMatrix gelu_erf_derivative(const FloatMatrix& x);
/// Softmax of each row in place, max-subtracted.
template <class Rows>
void softmax_rows(Rows&& x) {
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    auto row = x.row(r).array();
    row = (row - row.maxCoeff()).exp();
    row /= row.sum();
  }
}

}  // namespace vitdse::eval

// Float32 ViT operations on Eigen, vectorised (Eigen's packet erf and exp).
#include "vitdse/eval/float_ops.hpp"

#include <unsupported/Eigen/SpecialFunctions>

namespace vitdse::eval {

void linear(const FloatMatrix& x, const Linear& layer, FloatMatrix& out) {
  out.resize(x.rows(), layer.weight.rows());
  out.noalias() = x * layer.weight.transpose();
  out.rowwise() += layer.bias;
}

void layer_norm(const FloatMatrix& x, const Norm& norm, double eps, FloatMatrix& out, NormStats* stats) {
  out.resize(x.rows(), x.cols());
  if (stats != nullptr) {
    stats->mean.resize(x.rows());
    stats->inv_std.resize(x.rows());
  }
  const float inv_n = 1.0f / static_cast<float>(x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const auto row = x.row(r).array();
    const float mean = row.sum() * inv_n;
    const float var = (row - mean).square().sum() * inv_n;
    const float inv_std = 1.0f / std::sqrt(var + static_cast<float>(eps));
    out.row(r).array() = (row - mean) * inv_std * norm.gamma.array() + norm.beta.array();
    if (stats != nullptr) {
      stats->mean(r) = mean;
      stats->inv_std(r) = inv_std;
    }
  }
}

void gelu_erf(FloatMatrix& x) {
  auto a = x.array();
  a = 0.5f * a * (1.0f + (a * static_cast<float>(M_SQRT1_2)).erf());
}

FloatMatrix gelu_erf_derivative(const FloatMatrix& x) {
  const auto a = x.array();
  const float inv_sqrt_2pi = 0.5f * static_cast<float>(M_2_SQRTPI * M_SQRT1_2);
  FloatMatrix d(x.rows(), x.cols());
  d.array() = 0.5f * (1.0f + (a * static_cast<float>(M_SQRT1_2)).erf()) + a * inv_sqrt_2pi * (-0.5f * a.square()).exp();
  return d;
}

}  // namespace vitdse::eval

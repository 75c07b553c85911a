// The backward passes of the layers that more than one model family trains.
#pragma once

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/float_ops.hpp"
#include "vitdse/eval/vit_weights.hpp"

namespace vitdse::train::detail {

/// A block of rows and columns of a row-major float matrix.
using ConstBlock = Eigen::Ref<const FloatMatrix, 0, Eigen::OuterStride<>>;
using Block = Eigen::Ref<FloatMatrix, 0, Eigen::OuterStride<>>;

/// y = x W^T + b: accumulates dW += dy^T x and db += Σ_rows dy; dx = dy W unless `dx` is null.
void linear_backward(const FloatMatrix& x, const eval::Linear& layer, const FloatMatrix& dy, eval::Linear& grad,
                     FloatMatrix* dx);

/// y = x̂·γ + β with x̂ = (x - mean)·inv_std over each row: dγ += Σ dy·x̂, dβ += Σ dy and
/// dx = inv_std · (g - mean(g) - x̂·mean(g·x̂)) with g = dy·γ.
void layer_norm_backward(const FloatMatrix& x, const eval::NormStats& stats, const eval::Norm& norm,
                         const FloatMatrix& dy, eval::Norm& grad, FloatMatrix& dx);

/// One head of ReLU linear attention, kv = relu(K)^T [V 1], o = relu(Q) kv,
/// out = o[:, :d] / (o[:, d] + eps), given the recorded `kv` and `o` and d(out): writes d(Q) and
/// d(K) (before their ReLUs) and d(V).
void relu_linear_attention_backward(const ConstBlock& q, const ConstBlock& k, const ConstBlock& v,
                                    const FloatMatrix& kv, const FloatMatrix& o, const ConstBlock& dout, float eps,
                                    Block dq, Block dk, Block dv);

}  // namespace vitdse::train::detail

// The datapath of a convolutional forward pass (EfficientViT): how each convolution and each
// attention product is computed. The float datapath is timm's; a design's emulates its arithmetic.
#pragma once

#include "vitdse/eval/conv_ops.hpp"
#include "vitdse/eval/datapath.hpp"
#include "vitdse/eval/float_ops.hpp"

namespace vitdse::eval {

/// Layers are the workload's (`FoldedConv::layer`, the index of the conv's workload layer).
/// Methods are const and called concurrently from the engine's threads.
class ConvDatapath {
 public:
  virtual ~ConvDatapath() = default;

  /// out = conv(x) + bias, then the layer's Hardswish.
  virtual void conv(const FeatureMap& x, const FoldedConv& layer, FeatureMap& out) const { conv2d(x, layer, out); }
  /// out = x W^T + b at a linear workload layer (the classifier head's).
  virtual void linear(int /*layer*/, const FloatMatrix& x, const Linear& weights, FloatMatrix& out) const {
    eval::linear(x, weights, out);
  }
  /// A product of two activations at workload layer `layer` (LiteMLA's kv and qkv_out): out = a b.
  virtual void matmul(int /*layer*/, MatrixRef a, MatrixRef b, FloatMatrix& out) const { out.noalias() = a * b; }
  /// LiteMLA's denominators of one head at its qkv_out layer, in place before the division.
  virtual void denominators(int /*layer*/, Eigen::ArrayXf& /*den*/) const {}
};

}  // namespace vitdse::eval

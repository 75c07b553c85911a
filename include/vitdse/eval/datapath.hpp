// The datapath a forward pass runs on: how each GEMM, nonlinear function and pruning step of a
// ViT is computed. The float datapath is timm's; a design's datapath emulates its arithmetic.
#pragma once

#include <string>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/vit_weights.hpp"

namespace vitdse::eval {

/// The GEMMs of a ViT, named as in the workload (DESIGN.md's layer names). Softmax attention
/// has qk and av; ReLU linear attention has kv and qkv_out instead.
enum class Op { patch_embed, qkv, qk, av, kv, qkv_out, proj, fc1, fc2, head };

/// One GEMM of the model: `block` is -1 for patch_embed and head.
struct Site {
  int block = -1;
  Op op = Op::qkv;
};

/// The workload's name of a site: "patch_embed", "blocks.3.attn.qk", "head".
std::string site_name(Site site);

/// A block of a row-major matrix (one attention head's columns of the fused QKV output).
using MatrixRef = Eigen::Ref<const FloatMatrix, 0, Eigen::OuterStride<>>;
using MutableMatrixRef = Eigen::Ref<FloatMatrix, 0, Eigen::OuterStride<>>;

/// Methods are const and called concurrently from the engine's threads.
class Datapath {
 public:
  virtual ~Datapath() = default;

  /// out = x W^T + b at a linear site (patch_embed, qkv, proj, fc1, fc2, head).
  virtual void linear(Site site, const FloatMatrix& x, const Linear& layer, FloatMatrix& out) const;
  /// Attention scores of one head: out = q k^T (q already scaled by hd^-1/2).
  virtual void scores(int block, MatrixRef q, MatrixRef k, FloatMatrix& out) const;
  /// One head's output: out = p v.
  virtual void mix(int block, const FloatMatrix& p, MatrixRef v, MutableMatrixRef out) const;
  /// A product of two activations at a linear-attention site (kv, qkv_out): out = a b.
  virtual void matmul(Site site, MatrixRef a, MatrixRef b, FloatMatrix& out) const;
  /// Softmax of each row of the scores, in place.
  virtual void softmax(int block, FloatMatrix& scores) const;
  /// Linear attention's denominators of one head, in place before the division (kept exact).
  virtual void denominators(int /*block*/, Eigen::ArrayXf& /*den*/) const {}
  /// The FFN activation, in place (GELU or ReLU, as the card says).
  virtual void activation(int block, FloatMatrix& hidden) const;
  /// Share of patch tokens kept after `block` (1: none dropped).
  [[nodiscard]] virtual double token_keep(int /*block*/) const { return 1.0; }
  /// Share of FFN hidden units fc2 skips in `block`, per token, smallest magnitudes first.
  [[nodiscard]] virtual double ffn2_prune(int /*block*/) const { return 0.0; }

  /// The card's activation, which the float datapath applies.
  model::Activation act = model::Activation::gelu;
};

}  // namespace vitdse::eval

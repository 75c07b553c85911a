// The ViT inference engine: timm's VisionTransformer forward pass on the CPU.
#pragma once

#include <span>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

/// timm's forward pass for a class-token ViT: patch embedding, class token prepended, then
/// pos_embed added; pre-norm blocks x += attn(norm1(x)), x += mlp(norm2(x)) with erf GELU and
/// q scaled by hd^-1/2 before q·k^T; the final norm; the head on the class token.
///
/// Images are processed in fixed chunks on TBB's threads. The chunking depends only on the
/// batch, so the logits are the same for any thread count.
///
///     VitEngine engine(card, load_vit_weights(card));
///     FloatMatrix logits = engine.forward(images, batch);  // [batch x classes]
class VitEngine {
 public:
  VitEngine(model::ModelCard card, VitWeights weights);

  [[nodiscard]] const model::ModelCard& card() const { return card_; }
  [[nodiscard]] const VitWeights& weights() const { return weights_; }
  /// Floats in one input image: C·H·W.
  [[nodiscard]] std::size_t image_size() const;

  /// `images` holds `batch` images [C x H x W], normalised; the result is [batch x classes].
  [[nodiscard]] FloatMatrix forward(std::span<const float> images, int batch) const;

 private:
  /// Logits of `count` consecutive images into rows of `out` starting at `first`.
  void forward_chunk(const float* images, int count, FloatMatrix& out, int first) const;
  /// Patch embedding plus class token and positions: [count·N x D].
  void embed(const float* images, int count, FloatMatrix& x) const;
  /// Multi-head self-attention of every image, before the projection: [count·N x D].
  void attention(const FloatMatrix& qkv, int count, FloatMatrix& out) const;

  model::ModelCard card_;
  VitWeights weights_;
};

}  // namespace vitdse::eval

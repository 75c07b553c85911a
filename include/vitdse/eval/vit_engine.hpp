// The ViT inference engine: timm's VisionTransformer forward pass on the CPU.
#pragma once

#include <span>
#include <vector>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/datapath.hpp"
#include "vitdse/eval/forward_tape.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

/// EfficientViT's guard against a zero denominator in ReLU linear attention.
constexpr float kLinearAttentionEps = 1e-15f;

/// The residual stream of a forward pass at each stage boundary, per chunk of images: [chunk]
/// [0] after the embedding, [b + 1] after block b (token pruning applied).
struct StageStates {
  std::vector<std::vector<FloatMatrix>> chunks;
};

/// timm's forward pass for a class-token ViT (or, for `attention: linear-relu` cards, the same
/// with ReLU linear attention in place of softmax attention): patch embedding, class token prepended, then
/// pos_embed added; pre-norm blocks x += attn(norm1(x)), x += mlp(norm2(x)) with erf GELU and
/// q scaled by hd^-1/2 before q·k^T; the final norm; the head on the class token. Every GEMM,
/// nonlinear function and pruning step goes through a Datapath: timm's float arithmetic by
/// default, or a design's emulated arithmetic.
///
/// Token pruning: after a block whose datapath keeps a share `keep` < 1, each image keeps its
/// class token and the ceil(keep·(n-1)) patch tokens with the highest class-token attention in
/// that block (averaged over heads; ties to the earlier token), in their original order.
/// FFN2 pruning (dynamic): per token, the hidden units of smallest |activation| are zeroed
/// before fc2, ceil((1-prune)·hidden) kept, as the workload counts them.
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
  /// The weights, for an optimiser to update between forward passes (never during one).
  [[nodiscard]] VitWeights& mutable_weights() { return weights_; }
  /// Floats in one input image: C·H·W.
  [[nodiscard]] std::size_t image_size() const;

  /// `images` holds `batch` images [C x H x W], normalised; the result is [batch x classes].
  /// Without a datapath, timm's float arithmetic.
  [[nodiscard]] FloatMatrix forward(std::span<const float> images, int batch, const Datapath* datapath = nullptr) const;
  /// Images per chunk of a forward pass. Chunks do not depend on one another, so a pass over
  /// some of a batch's chunks gives those images the logits a whole pass does, to the bit.
  [[nodiscard]] int images_per_chunk() const;
  /// Chunks of a batch of `batch` images.
  [[nodiscard]] int chunks(int batch) const;
  /// forward() over chunks [first, last) of the batch only: the logits of those chunks' images.
  [[nodiscard]] FloatMatrix forward_part(std::span<const float> images, int batch, const Datapath& datapath, int first,
                                         int last) const;
  /// forward() over chunks [first, last) of the batch only (the logits of those chunks' images),
  /// keeping each chunk's stage states in `states` (sized for the whole batch) and taking chunk
  /// c's stages before resume[c - first] (0: the embedding, b + 1: block b) from them: they must
  /// come from a pass on the same images whose datapath computed those stages identically.
  /// resume 0 recomputes everything.
  [[nodiscard]] FloatMatrix forward_resuming(std::span<const float> images, int batch, const Datapath& datapath,
                                             StageStates& states, int first, int last,
                                             std::span<const int> resume) const;
  /// The same for `count` images on the calling thread, recording in `tape` what
  /// backpropagation needs (train/vit_backprop.hpp).
  FloatMatrix forward_recorded(std::span<const float> images, int count, const Datapath* datapath,
                               ForwardTape& tape) const;

 private:
  /// Throws unless `images` holds `batch` images of the card's shape.
  void check_batch(std::span<const float> images, int batch) const;
  /// Logits of `count` consecutive images into rows of `out` starting at `first`; records in
  /// `tape` unless it is null; keeps stage states in `states` unless it is null, resuming at
  /// stage `resume` from them.
  void forward_chunk(const float* images, int count, const Datapath& dp, FloatMatrix& out, int first, ForwardTape* tape,
                     std::vector<FloatMatrix>* states = nullptr, int resume = 0) const;
  /// forward() over chunks [first, last), each with its stage states when `states` is not null.
  FloatMatrix forward_chunks(std::span<const float> images, int batch, const Datapath& dp, StageStates* states,
                             int first, int last, std::span<const int> resume) const;
  /// Patch embedding plus class token and positions: [count·N x D].
  void embed(const float* images, int count, const Datapath& dp, FloatMatrix& x, ForwardTape* tape) const;
  /// Multi-head self-attention of every image over its `tokens` rows, before the projection:
  /// [count·tokens x D]. `cls_attention` gets each image's class-token attention to its patch
  /// tokens, averaged over heads ([count x tokens-1]).
  /// `rec`, unless null, gets every head's attention probabilities (and linear attention's kv).
  void attention(int block, const FloatMatrix& qkv, int count, int tokens, const Datapath& dp, FloatMatrix& out,
                 FloatMatrix& cls_attention, BlockTape* rec) const;
  /// ReLU linear attention (EfficientViT): per head, out_i = relu(q_i)·Σ_j relu(k_j)^T v_j /
  /// (relu(q_i)·Σ_j relu(k_j) + eps), as two GEMMs, kv = relu(K)^T [V 1] and relu(Q)·kv.
  void linear_attention(int block, const FloatMatrix& qkv, int count, int tokens, const Datapath& dp, FloatMatrix& out,
                        FloatMatrix& cls_attention, BlockTape* rec) const;

  model::ModelCard card_;
  VitWeights weights_;
  Datapath float_datapath_;
};

}  // namespace vitdse::eval

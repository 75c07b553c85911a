// The EfficientViT inference engine: timm's efficientvit_mit.EfficientVit forward pass on the CPU.
#pragma once

#include <span>
#include <vector>

#include "vitdse/eval/conv_datapath.hpp"
#include "vitdse/eval/conv_ops.hpp"
#include "vitdse/eval/efficientvit_weights.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

/// timm's LiteMLA guard against a zero denominator (the original code's is 1e-15).
constexpr float kLiteMlaEps = 1e-5f;

/// Images per chunk of a forward pass: their maps are stacked, so each 1x1 convolution is one
/// GEMM over all their pixels. Fixed, so an image's logits do not depend on the thread count.
constexpr int kEfficientVitChunkImages = 16;

/// timm's forward pass of a B-series EfficientViT, in float32:
/// - the stem: a 3x3 stride-2 conv, norm, Hardswish, then residual DSConvs (depthwise 3x3, norm,
///   Hardswish; 1x1, norm);
/// - per stage, a stride-2 MBConv (1x1 expand, Hardswish; depthwise 3x3, Hardswish; 1x1 project),
///   then residual MBConvs, or in attention stages EfficientViT blocks: x += LiteMLA(x), then
///   x += MBConv(x);
/// - LiteMLA: a 1x1 qkv conv; per scale a depthwise kxk and a grouped 1x1 conv of the qkv map;
///   per head of every branch, ReLU(q)·(ReLU(k)^T [v 1]), the first head_dim columns divided by
///   the last (+ kLiteMlaEps); a 1x1 projection with norm;
/// - the head: a 1x1 conv, norm, Hardswish, the global average, a linear layer, LayerNorm,
///   Hardswish and the classifier.
/// Batch norms are folded into their convolutions when the engine is built. Every convolution
/// and LiteMLA product goes through a ConvDatapath: timm's float arithmetic by default, or a
/// design's. Images run in chunks of kEfficientVitChunkImages, counted from the first image of
/// the call, one chunk per task on TBB's threads, so the logits do not depend on the thread
/// count.
///
///     EfficientVitEngine engine(card, load_efficientvit_weights(card, path));
///     FloatMatrix logits = engine.forward(images, batch);  // [batch x classes]
class EfficientVitEngine {
 public:
  EfficientVitEngine(model::ModelCard card, const EfficientVitWeights& weights);

  [[nodiscard]] const model::ModelCard& card() const { return card_; }
  /// Floats in one input image: C·H·W.
  [[nodiscard]] std::size_t image_size() const;
  /// `images` holds `batch` normalised images [C x H x W]; the result is [batch x classes].
  /// Without a datapath, timm's float arithmetic.
  [[nodiscard]] FloatMatrix forward(std::span<const float> images, int batch,
                                    const ConvDatapath* datapath = nullptr) const;
  /// One image's feature maps after the stem and after each stage (timm's `stem`, `stages.N`).
  [[nodiscard]] std::vector<FeatureMap> stage_outputs(std::span<const float> image) const;
  /// Every convolution, in the order of the forward pass, batch norm folded in.
  [[nodiscard]] std::vector<const FoldedConv*> convolutions() const;
  /// The head's two linear layers, each with its workload layer.
  [[nodiscard]] std::vector<std::pair<int, const Linear*>> head_layers() const;

 private:
  struct MbConv {
    FoldedConv inverted, depthwise, pointwise;
    bool residual = false;
  };
  struct Attention {
    int heads = 0, head_dim = 0;
    int kv_layer = -1, out_layer = -1;  ///< the workload's kv and qkv_out
    FoldedConv qkv, proj;
    std::vector<FoldedConv> aggreg_depthwise, aggreg_pointwise;
  };
  struct Block {
    std::optional<Attention> attention;
    MbConv mbconv;
  };

  void check_image(std::span<const float> images, int batch) const;
  /// Logits [count x classes] of `count` images; `stages`, unless null, gets the feature maps at
  /// stage boundaries.
  [[nodiscard]] FloatMatrix forward_chunk(const float* images, int count, const ConvDatapath& dp,
                                          std::vector<FeatureMap>* stages) const;
  void mbconv(const MbConv& m, const ConvDatapath& dp, FeatureMap& x) const;
  void attention(const Attention& a, const ConvDatapath& dp, FeatureMap& x) const;

  model::ModelCard card_;
  FoldedConv stem_;
  std::vector<FoldedConv> stem_depthwise_, stem_pointwise_;
  std::vector<std::vector<Block>> stages_;
  FoldedConv head_conv_;
  Linear head_fc1_, head_fc2_;
  int head_fc1_layer_ = -1, head_fc2_layer_ = -1;
  Norm head_norm_;
  ConvDatapath float_datapath_;
};

}  // namespace vitdse::eval

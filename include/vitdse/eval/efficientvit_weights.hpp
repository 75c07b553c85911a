// The weights of an EfficientViT B-series model (timm's efficientvit_mit.EfficientVit), as timm's
// state dict holds them, loaded from safetensors and checked against the model card.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

/// BatchNorm2d in inference: its affine pair and running statistics, per channel.
struct BatchNorm {
  FloatRow gamma, beta, mean, var;
};

/// One convolution of the model with what follows it in timm's ConvNormAct: an optional batch
/// norm and an optional Hardswish. Padding is timm's, ((stride - 1) + (kernel - 1)) / 2 per side.
struct ConvLayer {
  std::string name;  ///< timm's module path, e.g. "stages.2.blocks.1.context_module.main.qkv"
  int in = 0, out = 0, kernel = 1, stride = 1, groups = 1;
  FloatMatrix weight;             ///< [out x (in / groups)·k·k], columns in (c, ky, kx) order
  std::optional<FloatRow> bias;   ///< the conv's own bias, where timm gives it one
  std::optional<BatchNorm> norm;  ///< the batch norm after it, where there is one
  bool hswish = false;            ///< a Hardswish after the norm
};

/// MBConv: 1x1 expand, depthwise kxk (the stride), 1x1 project; `residual` adds its input.
struct MbConvWeights {
  ConvLayer inverted, depthwise, pointwise;
  bool residual = false;
};

/// LiteMLA, lightweight multi-scale ReLU linear attention: a 1x1 qkv conv, per scale a depthwise
/// kxk and a grouped 1x1 conv (groups = 3·heads) over the qkv map, and a 1x1 projection of every
/// branch's heads. Heads are 3·head_dim consecutive channels (q, k, v) of the concatenated branches.
struct LiteMlaWeights {
  int heads = 0, head_dim = 0;  ///< per branch
  ConvLayer qkv;
  std::vector<ConvLayer> aggreg_depthwise, aggreg_pointwise;  ///< one of each per scale
  ConvLayer proj;
};

/// One block of a stage: an MBConv (`stages.i.blocks.j.main`), or an EfficientViT block whose
/// context module is LiteMLA and whose local module is a residual MBConv.
struct EfficientVitBlockWeights {
  std::optional<LiteMlaWeights> attention;  ///< the context module, for EfficientViT blocks
  MbConvWeights mbconv;                     ///< the block itself, or the local module
};

struct EfficientVitWeights {
  ConvLayer stem;                         ///< stem.in_conv: 3x3 stride 2, norm, Hardswish
  std::vector<ConvLayer> stem_depthwise;  ///< stem.res{j}: residual DSConv, depthwise half
  std::vector<ConvLayer> stem_pointwise;  ///< and pointwise half
  std::vector<std::vector<EfficientVitBlockWeights>> stages;
  ConvLayer head_conv;  ///< head.in_conv: 1x1, norm, Hardswish, before the average pool
  Linear head_fc1;      ///< head.classifier.0 (no bias: zeros)
  Norm head_norm;       ///< head.classifier.1, LayerNorm
  Linear head_fc2;      ///< head.classifier.4

  /// Parameters as PyTorch counts them: the running statistics are buffers, not counted.
  [[nodiscard]] std::int64_t parameter_count() const;
};

/// Loads timm-state-dict safetensors (F32, F16, BF16 or F64) for a `family: efficientvit` card:
/// `stem.in_conv.{conv,norm}.*`, `stem.res{j}.main.{depth_conv,point_conv}.*`,
/// `stages.{i}.blocks.{j}.main.{inverted_conv,depth_conv,point_conv}.*` for MBConvs,
/// `stages.{i}.blocks.{j}.context_module.main.{qkv,aggreg.{s}.{0,1},proj}.*` and
/// `...local_module.main.*` for EfficientViT blocks, `head.in_conv.*` and
/// `head.classifier.{0,1,4}.*`. Every shape is checked against the card; a missing, misshapen or
/// unexpected tensor is a one-line Error naming it. `*.num_batches_tracked` is ignored.
///
///     auto card = model::load_model_card("models/efficientvit-b1.yaml");
///     EfficientVitWeights w = load_efficientvit_weights(card, "efficientvit_b1.safetensors");
EfficientVitWeights load_efficientvit_weights(const model::ModelCard& card, const std::filesystem::path& path);

/// Every tensor of the state dict (num_batches_tracked aside, running statistics included), in one
/// fixed order, viewed in place.
std::vector<WeightTensor> weight_tensors(EfficientVitWeights& weights, const model::ModelCard& card);

/// Weights of the card's shape, every tensor zero but the norms' scales and variances (one).
EfficientVitWeights efficientvit_weights_for(const model::ModelCard& card);

/// Weights to train from: PyTorch's default initialisation of each layer, every convolution and
/// linear weight and bias uniform in ±1/sqrt(fan in), norms the identity; `seed` fixes them.
EfficientVitWeights random_efficientvit_weights(const model::ModelCard& card, std::uint64_t seed);

/// Writes `weights` as a timm state dict (float32 safetensors, running statistics included).
void save_efficientvit_weights(const model::ModelCard& card, const EfficientVitWeights& weights,
                               const std::filesystem::path& path,
                               const std::map<std::string, std::string>& metadata = {});

}  // namespace vitdse::eval

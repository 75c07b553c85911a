// An EfficientViT as training runs it: every batch norm on the statistics of the images in hand
// (PyTorch's train mode), a tape of what the backward pass needs, and the backward pass.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/efficientvit_weights.hpp"
#include "vitdse/eval/float_ops.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::train {

/// PyTorch's BatchNorm2d momentum: running ← (1 - m)·running + m·batch, with the batch's
/// unbiased variance.
constexpr double kBatchNormMomentum = 0.1;

/// One ConvNormAct of a forward pass. Maps are [count·height·width x channels], image-major.
struct ConvTape {
  FloatMatrix input;        ///< the convolution's input
  FloatMatrix conv;         ///< convolution + bias, before the norm
  FloatMatrix normed;       ///< after the norm (the convolution itself where there is none)
  FloatRow mean, variance;  ///< the norm's batch statistics (biased variance, as it normalises)
  int height = 0, width = 0;
};

struct MbConvTape {
  ConvTape inverted, depthwise, pointwise;
};

struct LiteMlaTape {
  ConvTape qkv, proj;
  std::vector<ConvTape> aggreg_depthwise, aggreg_pointwise;
  FloatMatrix branches;            ///< every branch's q, k, v side by side, before the ReLUs
  std::vector<FloatMatrix> kv, o;  ///< per image and head: relu(K)^T [V 1] and relu(Q)·kv
};

struct EfficientVitBlockTape {
  std::optional<LiteMlaTape> attention;
  MbConvTape mbconv;
};

struct EfficientVitTape {
  int count = 0;
  ConvTape stem;
  std::vector<ConvTape> stem_depthwise, stem_pointwise;
  std::vector<std::vector<EfficientVitBlockTape>> stages;
  ConvTape head_conv;
  FloatMatrix pooled, hidden, normed, activated;  ///< the classifier: pool, linear, LayerNorm, Hardswish
  eval::NormStats head_stats;
};

/// timm's forward pass (eval::EfficientVitEngine's) of `count` normalised images [C x H x W] in
/// training mode: every batch norm normalises by the mean and biased variance of its input over
/// these images' pixels. Returns the logits [count x classes] and fills `tape`.
FloatMatrix forward_training(const model::ModelCard& card, const eval::EfficientVitWeights& weights,
                             std::span<const float> images, int count, EfficientVitTape& tape);

/// Adds dL/dW for every parameter to `grad` (shaped by eval::efficientvit_weights_for), given
/// the tape of forward_training and dL/dlogits [count x classes]. Running statistics get none.
void backpropagate(const model::ModelCard& card, const eval::EfficientVitWeights& weights, const EfficientVitTape& tape,
                   const FloatMatrix& dlogits, eval::EfficientVitWeights& grad);

/// Adds `share` times the tape's batch statistics (mean, unbiased variance) to the running
/// statistics of `sums`: summed over a batch's chunks with shares that add to one, they are the
/// batch's statistics for update_running_statistics.
void add_batch_statistics(const EfficientVitTape& tape, double share, eval::EfficientVitWeights& sums);

/// running ← (1 - kBatchNormMomentum)·running + kBatchNormMomentum·sum for every batch norm of
/// `weights`, from the running statistics of `sums`, which are then zeroed.
void update_running_statistics(const model::ModelCard& card, eval::EfficientVitWeights& weights,
                               eval::EfficientVitWeights& sums);

/// Calls visit(layer, tape) for every convolution of `weights` (a model's, or a gradient shaped
/// like it) with its part of the tape.
template <class Weights, class Visit>
void for_each_conv(Weights& weights, const EfficientVitTape& tape, Visit&& visit) {
  visit(weights.stem, tape.stem);
  for (std::size_t j = 0; j < weights.stem_depthwise.size(); ++j) {
    visit(weights.stem_depthwise[j], tape.stem_depthwise[j]);
    visit(weights.stem_pointwise[j], tape.stem_pointwise[j]);
  }
  for (std::size_t i = 0; i < weights.stages.size(); ++i) {
    for (std::size_t j = 0; j < weights.stages[i].size(); ++j) {
      auto& b = weights.stages[i][j];
      const auto& t = tape.stages[i][j];
      if (b.attention) {
        visit(b.attention->qkv, t.attention->qkv);
        for (std::size_t s = 0; s < b.attention->aggreg_depthwise.size(); ++s) {
          visit(b.attention->aggreg_depthwise[s], t.attention->aggreg_depthwise[s]);
          visit(b.attention->aggreg_pointwise[s], t.attention->aggreg_pointwise[s]);
        }
        visit(b.attention->proj, t.attention->proj);
      }
      visit(b.mbconv.inverted, t.mbconv.inverted);
      visit(b.mbconv.depthwise, t.mbconv.depthwise);
      visit(b.mbconv.pointwise, t.mbconv.pointwise);
    }
  }
  visit(weights.head_conv, tape.head_conv);
}

}  // namespace vitdse::train

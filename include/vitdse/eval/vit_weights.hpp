// The weights of a ViT-family model, in timm's layout, loaded from safetensors and checked
// against the model card.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "vitdse/core/eigen.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

/// y = x W^T + b.
struct Linear {
  FloatMatrix weight;  ///< [out x in], as nn.Linear stores it
  FloatRow bias;       ///< [out]; zeros where the model has none
};

/// LayerNorm's affine part.
struct Norm {
  FloatRow gamma;  ///< `weight` in timm
  FloatRow beta;   ///< `bias` in timm
};

struct BlockWeights {
  Norm norm1;
  Linear qkv;   ///< [3D x D]: rows 0..D-1 give q, then k, then v; head h owns columns h·hd.. of each
  Linear proj;  ///< [D x D]
  Norm norm2;
  Linear fc1;  ///< [hidden x D]
  Linear fc2;  ///< [D x hidden]
};

/// A timm VisionTransformer with a class token and token pooling (DeiT, ViT, vit-fmnist).
struct VitWeights {
  Linear patch_embed;     ///< the patch convolution as [D x C·p·p], columns in (c, ky, kx) order
  FloatRow cls_token;     ///< [D]
  FloatMatrix pos_embed;  ///< [tokens x D], the class token's row first
  std::vector<BlockWeights> blocks;
  Norm norm;
  Linear head;  ///< [classes x D]

  [[nodiscard]] std::int64_t parameter_count() const;
};

/// Loads timm-layout safetensors (F32, F16, BF16 or F64): `cls_token`, `pos_embed`,
/// `patch_embed.proj.{weight,bias}`, `blocks.{i}.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,
/// mlp.fc2}.{weight,bias}`, `norm.{weight,bias}`, `head.{weight,bias}`. Every shape is checked
/// against the card; a missing, misshapen or unexpected tensor is a one-line Error naming it.
/// `qkv_bias: false` cards take no qkv bias.
///
///     auto card = model::load_model_card("tests/data/vit-28x28-random.yaml");
///     VitWeights w = load_vit_weights(card, *card.weights);
VitWeights load_vit_weights(const model::ModelCard& card, const std::filesystem::path& path);
/// The card's own `weights:` file; an Error says how to get weights when the card names none.
VitWeights load_vit_weights(const model::ModelCard& card);
/// The card's `weights:` file, which must exist; else an Error saying how to get weights.
std::filesystem::path card_weights_file(const model::ModelCard& card);

/// Random weights of the card's shape (timm's initialisation scales: N(0, 0.02) for linear
/// layers and tokens, LayerNorm scales around 1), from `seed`. For benchmarks, memory tests
/// and as the starting point of training.
VitWeights random_vit_weights(const model::ModelCard& card, std::uint64_t seed);

/// Weights of the card's shape, every value zero: a gradient or an optimiser's moment.
VitWeights zero_vit_weights(const model::ModelCard& card);

/// One tensor of the timm state dict, viewed in place.
struct WeightTensor {
  std::string name;                 ///< timm's key, e.g. "blocks.0.attn.qkv.weight"
  std::vector<std::int64_t> shape;  ///< timm's shape
  std::span<float> values;          ///< C-contiguous in that shape
};

/// Every tensor of `weights` (of the card's shape), in one fixed order, so that optimisers,
/// gradient checks and checkpoints can walk weights, gradients and moments side by side.
std::vector<WeightTensor> weight_tensors(VitWeights& weights, const model::ModelCard& card);

/// Writes weights of the card's shape in timm's layout as float32 safetensors; load_vit_weights
/// reads them back bit for bit.
void save_vit_weights(const model::ModelCard& card, const VitWeights& weights, const std::filesystem::path& path,
                      const std::map<std::string, std::string>& metadata = {});

/// Writes tensors under their names as float32 safetensors, atomically.
void save_weight_tensors(const std::vector<WeightTensor>& tensors, const std::filesystem::path& path,
                         const std::map<std::string, std::string>& metadata = {});

/// Throws an Error unless the card is a ViT-family model the evaluator can run.
void check_runnable(const model::ModelCard& card);

}  // namespace vitdse::eval

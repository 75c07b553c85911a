// ONNX -> model card and timm-layout weights, for graphs exported from timm's VisionTransformer
// (ViT, DeiT) and EfficientViT: the graph's structure gives the card, its constants the weights.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vitdse/model/card.hpp"
#include "vitdse/model/onnx_graph.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::model {

/// What the graph cannot say: the card's name and timm's data configuration.
struct ImportOptions {
  std::string name;               ///< the card's name; the file's stem when empty
  std::vector<double> mean, std;  ///< per channel; empty: ImageNet's (3 channels only)
  double crop_pct = 0.875;
  Interpolation interpolation = Interpolation::bicubic;
};

struct ImportedModel {
  ModelCard card;
  std::map<std::string, Tensor> weights;  ///< timm's state-dict names and layouts

  /// The card as YAML, naming `weights_file` (relative to the card) and the source graph.
  [[nodiscard]] std::string card_text(const std::string& weights_file, const std::string& source) const;
};

/// Recognises a timm ViT in the graph: one patch-embedding Conv, 2·depth + 1 LayerNorms and
/// 4·depth + 1 weight products in order (qkv, proj, fc1, fc2 per block, then the head), softmax
/// attention, the class token and position embedding. Anything else is a one-line error that
/// says what did not match.
ImportedModel import_onnx_vit(const OnnxGraph& graph, const ImportOptions& options);

/// Recognises a timm EfficientViT (B series) by the module names torch recorded: the stem, each
/// stage's MBConv and EfficientViT blocks, LiteMLA's qkv and aggregation convs, the head. The
/// exporter folds each batch norm into its conv; the weights come back in timm's keys with the
/// norm as the identity around the folded bias.
ImportedModel import_onnx_efficientvit(const OnnxGraph& graph, const ImportOptions& options);

/// The importer the graph's structure calls for: EfficientViT when it has timm's `stem.in_conv`,
/// else ViT.
ImportedModel import_onnx(const OnnxGraph& graph, const ImportOptions& options);

}  // namespace vitdse::model

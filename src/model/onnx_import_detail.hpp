// What the ONNX importers of every family share: products by a weight and epsilons read back.
#pragma once

#include "vitdse/model/onnx_graph.hpp"
#include "vitdse/model/onnx_import.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::model::detail {

/// A product by a weight: its node, weight [out, in] in timm's layout, and bias (may be empty).
struct Product {
  int node = -1;
  Tensor weight, bias;
};

/// The MatMul or Gemm node `node` by a constant weight, with the bias Add after it folded in;
/// a weight that is not a matrix is an Error.
Product read_product(const OnnxGraph& graph, int node);

/// The card's normalisation and evaluation transform from the options (ONNX records neither):
/// ImageNet's mean and std by default for 3 channels; a usage Error when they do not fit.
void apply_data_options(const OnnxGraph& graph, const ImportOptions& options, ModelCard& card);

/// A normalisation's epsilon: ONNX keeps it as float32 (1e-6 reads back as 9.99999997e-07), so
/// six significant digits recover the value the model was written with.
double read_epsilon(const OnnxNode& node, double fallback);

}  // namespace vitdse::model::detail

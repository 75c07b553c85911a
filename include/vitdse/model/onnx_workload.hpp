// The workload of an ONNX graph: its operators mapped onto workload layers, named by the module
// path the exporter recorded (timm's names for a timm model), and what could not be priced.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "vitdse/model/onnx_graph.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::model {

struct OnnxWorkload {
  Workload workload;
  /// Operators vitdse cannot price, by type, with their counts.
  std::map<std::string, int> unpriced;
  /// Operators the cost model leaves out by design (docs/cost-model.md, "Limitations"): data
  /// movement, shape arithmetic, and element-wise arithmetic such as residual additions.
  std::map<std::string, int> uncounted;
};

/// Maps a graph's operators onto layers:
/// - MatMul and Gemm with a constant operand are `linear` (with the bias Add that follows);
///   MatMul of two activations is `matmul` (attention's q·kᵀ and p·v: `attn.qk`, `attn.av`);
/// - Conv (grouped and depthwise too) is `conv`, in its GEMM view;
/// - Softmax, LayerNormalization, GELU (the Gelu operator, or the Erf pattern torch exports) and
///   Relu are nonlinear layers.
/// The batch dimension counts as 1, so the counts are per image.
OnnxWorkload onnx_workload(const OnnxGraph& graph);

/// Reads an ONNX model's workload. Unpriced operators are an error that lists them by type and
/// count, unless `allow_unpriced`, when they are only left out (the caller lists them).
OnnxWorkload load_onnx_workload(const std::filesystem::path& file, bool allow_unpriced);

/// "Tanh x2, Sigmoid x1": a count map as one line.
std::string describe_counts(const std::map<std::string, int>& counts);

}  // namespace vitdse::model

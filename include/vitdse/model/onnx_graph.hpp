// ONNX models as a plain graph: nodes in topological order, every value's inferred shape, and the
// initializers' shapes with their data read on demand. Only onnx_graph.cpp sees ONNX's headers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vitdse/model/safetensors.hpp"

namespace vitdse::model {

/// One node. `scope` is the module path the exporter recorded ("blocks.0.attn.qkv"), or empty.
struct OnnxNode {
  std::string name;
  std::string op_type;
  std::string scope;
  std::vector<std::string> inputs;  ///< "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, std::int64_t> ints;  ///< integer attributes
  std::map<std::string, double> floats;      ///< float attributes
  std::map<std::string, std::vector<std::int64_t>> int_lists;

  /// An integer attribute, or `fallback` when the node does not set it.
  [[nodiscard]] std::int64_t int_attr(const std::string& key, std::int64_t fallback) const {
    const auto it = ints.find(key);
    return it == ints.end() ? fallback : it->second;
  }
};

/// A constant tensor of the graph: an initializer, or a Constant node's value.
struct OnnxConstant {
  std::vector<std::int64_t> dims;
  int data_type = 0;  ///< ONNX's TensorProto.DataType (1 float, 7 int64, ...)
  std::string bytes;  ///< the little-endian data when stored in the file; empty when external
  std::optional<std::filesystem::path> external;  ///< external data: the file, offset, length
  std::int64_t offset = 0, length = -1;

  /// The element count; the loader has checked that it is at most kMaxOnnxElements.
  [[nodiscard]] std::int64_t numel() const;
};

/// The largest tensor, in elements, that an ONNX file may describe (2^40): larger or negative
/// sizes are rejected as corrupt, so no count overflows.
inline constexpr std::int64_t kMaxOnnxElements = std::int64_t{1} << 40;

class OnnxGraph;
/// Reads an ONNX model and runs ONNX's shape inference over it. Every problem is a one-line
/// vitdse::Error naming the file; in a build without ONNX, the error says how to get it.
OnnxGraph load_onnx_graph(const std::filesystem::path& file);

class OnnxGraph {
 public:
  /// Dimensions of a value; -1 for a symbolic or unknown one (the batch, usually).
  using Shape = std::vector<std::int64_t>;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] const std::vector<OnnxNode>& nodes() const { return nodes_; }
  /// The graph's real inputs (not initializers) and outputs, in order.
  [[nodiscard]] const std::vector<std::string>& inputs() const { return inputs_; }
  [[nodiscard]] const std::vector<std::string>& outputs() const { return outputs_; }
  [[nodiscard]] std::int64_t opset() const { return opset_; }

  /// The inferred shape of a value, if shape inference found one.
  [[nodiscard]] std::optional<Shape> shape(const std::string& value) const;
  /// The constant behind a value (an initializer or a Constant node's output), or null.
  [[nodiscard]] const OnnxConstant* constant(const std::string& value) const;
  /// A float constant's values as float32 (FLOAT, FLOAT16 or DOUBLE), external data included.
  [[nodiscard]] Tensor read_floats(const std::string& value) const;
  /// An integer constant's values (INT64 or INT32).
  [[nodiscard]] std::vector<std::int64_t> read_ints(const std::string& value) const;
  /// The nodes that read a value, and the node that writes it (-1 for inputs and constants).
  [[nodiscard]] std::vector<int> consumers(const std::string& value) const;
  /// A product's bias: when the only reader of `value` is an Add of a constant of `n` elements,
  /// that Add's node and the constant's name; else {-1, ""}.
  [[nodiscard]] std::pair<int, std::string> bias_after(const std::string& value, std::int64_t n) const;
  [[nodiscard]] int producer(const std::string& value) const;

 private:
  friend OnnxGraph load_onnx_graph(const std::filesystem::path& file);

  std::filesystem::path path_;
  std::vector<OnnxNode> nodes_;
  std::vector<std::string> inputs_, outputs_;
  std::int64_t opset_ = 0;
  std::map<std::string, Shape> shapes_;
  std::map<std::string, OnnxConstant> constants_;
  std::map<std::string, std::vector<int>> consumers_;
  std::map<std::string, int> producers_;
};

/// Whether this build reads ONNX models (libonnx-dev found at build time).
bool onnx_built();

}  // namespace vitdse::model

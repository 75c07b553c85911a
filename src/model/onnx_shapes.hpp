// Internal: the shape rules that complete ONNX's inference on exported graphs (onnx_shapes.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vitdse/model/onnx_graph.hpp"

namespace vitdse::model::detail {

/// Fills the shapes that `shapes` lacks, node by node in order, evaluating integer arithmetic on
/// shapes into `values` (seeded with the graph's small integer constants).
void propagate_shapes(const std::vector<OnnxNode>& nodes, std::map<std::string, OnnxGraph::Shape>& shapes,
                      std::map<std::string, std::vector<std::int64_t>>& values);

}  // namespace vitdse::model::detail

// TransAxx-style layer sensitivity: one unit in one GEMM layer at a time.
#pragma once

#include <string>
#include <vector>

#include "vitdse/eval/evaluator.hpp"

namespace vitdse::eval {

struct LayerSensitivity {
  std::string layer;  ///< workload name, e.g. "blocks.3.mlp.fc2"
  EvalReport report;  ///< the base design with only this layer on the unit
};

/// For every GEMM layer of the workload alone, the base design with that layer's multiplier
/// replaced by `unit`; ranked by accuracy drop (largest first), then by logit SNR (lowest
/// first). The unit must be wide enough for the layer's wbits and abits.
std::vector<LayerSensitivity> layer_sensitivity(const Evaluator& evaluator, const model::Workload& workload,
                                                const model::Design& base, const std::string& unit);

}  // namespace vitdse::eval

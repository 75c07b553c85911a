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

/// A design to score: the base design with one layer's multiplier replaced.
struct SensitivityProbe {
  std::string layer;
  model::Design design;
};

/// For every GEMM layer of the workload alone (in workload order), the base design with that
/// layer's multiplier replaced by `unit`, which must be wide enough for the layer's wbits and
/// abits (else an Error naming the layer).
std::vector<SensitivityProbe> sensitivity_probes(const model::Workload& workload, const model::Design& base,
                                                 const std::string& unit);

/// Orders the layers by accuracy drop (largest first), then by logit SNR (lowest first).
void rank_by_sensitivity(std::vector<LayerSensitivity>& layers);

/// The probes of `unit`, each scored by `evaluator`, ranked.
std::vector<LayerSensitivity> layer_sensitivity(const Evaluator& evaluator, const model::Workload& workload,
                                                const model::Design& base, const std::string& unit);

}  // namespace vitdse::eval

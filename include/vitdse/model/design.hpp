// Design points: a design file (DESIGN.md) resolved to one arithmetic choice per layer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "vitdse/model/workload.hpp"

namespace vitdse::model {

/// One layer's resolved choices. Fields the layer does not accept keep their "absent" values
/// (-1 for indices, 0 for bits) and are left out of the canonical form.
struct LayerChoice {
  std::int16_t mult = -1;  ///< index into Design::units
  std::int8_t wbits = 0;
  std::int8_t abits = 0;
  std::int16_t gelu = -1;     ///< index into Design::nonlinear
  std::int16_t softmax = -1;  ///< index into Design::nonlinear
  double token_keep = 1.0;    ///< tokens kept after this block (on its attention layer)
  double ffn2_prune = 0.0;    ///< fraction of FFN hidden units skipped by fc2
};

/// The fully resolved per-layer assignment; `layers` is aligned with Workload::layers().
struct Design {
  std::vector<std::string> units;      ///< distinct canonical multiplier specs
  std::vector<std::string> nonlinear;  ///< distinct canonical GELU/softmax specs
  std::vector<LayerChoice> layers;

  /// Token keep ratio after each block (1 where the design prunes nothing).
  [[nodiscard]] std::vector<double> keep_after_block(const Workload& w) const;
};

/// The built-in defaults: exact:8s, W8A8, exact GELU and softmax, no pruning.
Design default_design(const Workload& workload);
/// Parses and validates a design file against the workload's model.
Design load_design(const std::filesystem::path& path, const Workload& workload);
Design parse_design(const std::string& yaml_text, const std::string& source, const Workload& workload);

/// Sorted, whitespace-free JSON of the per-layer assignment ({"layers":{name:{field:value}}}).
std::string canonical_json(const Design& design, const Workload& workload);
/// First 16 hex digits of SHA-256 over canonical_json().
std::string design_hash(const Design& design, const Workload& workload);

/// Counts of layer `i` under the design: tokens from `schedule` (Workload::token_schedule of
/// keep_after_block()), FFN2 pruning, and the nonlinear implementation chosen (gelu:relu
/// evaluates no erf).
LayerCounts design_counts(const Workload& workload, const Design& design, std::size_t i,
                          std::span<const std::int64_t> schedule);

}  // namespace vitdse::model

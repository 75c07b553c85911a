// Design points: a design file (DESIGN.md) resolved to one arithmetic choice per layer.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "vitdse/model/workload.hpp"

namespace vitdse::model {

/// Weight scales: per output channel (min-max), one per tensor, or per output channel each clipped
/// to minimise the quantisation MSE (Trio-ViT's weights).
enum class WeightQuant : std::uint8_t { per_channel, per_tensor, per_channel_mse };
/// Trio-ViT's output-preserving transforms of a layer's input activations, folded into its
/// weights (arith/trio_transforms.hpp): channel-wise migration, filter-wise shifting, or both.
enum class InputTransform : std::uint8_t { none, migrate, shift, migrate_shift };
/// Which FFN hidden units fc2 skips: per token by |activation| (dynamic), or the same weight
/// columns for every token, those of smallest L2 norm (static, magnitude pruning).
enum class Ffn2Mode : std::uint8_t { dynamic, static_columns };
/// Linear attention's divider: exact, or by a log2-quantised denominator (a shift).
enum class Divide : std::uint8_t { exact, log2 };

std::string to_string(WeightQuant v);
std::string to_string(InputTransform v);
std::string to_string(Ffn2Mode v);
std::string to_string(Divide v);
/// The values by their design-file names; another name is a one-line Error listing the allowed.
WeightQuant parse_weight_quant(const std::string& text);
InputTransform parse_input_transform(const std::string& text);
Divide parse_divide(const std::string& text);

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
  WeightQuant wquant = WeightQuant::per_channel;
  InputTransform transform = InputTransform::none;
  Ffn2Mode ffn2_mode = Ffn2Mode::dynamic;
  Divide divide = Divide::exact;
};

/// One layer's choices with units named by canonical spec: what a design file or a search
/// point sets, before the specs are interned into a Design.
struct LayerSettings {
  std::string mult, gelu, softmax;
  int wbits = 0, abits = 0;
  double token_keep = 1.0, ffn2_prune = 0.0;
  WeightQuant wquant = WeightQuant::per_channel;
  InputTransform transform = InputTransform::none;
  Ffn2Mode ffn2_mode = Ffn2Mode::dynamic;
  Divide divide = Divide::exact;
};

/// The fully resolved per-layer assignment; `layers` is aligned with Workload::layers().
struct Design {
  std::vector<std::string> units;      ///< distinct canonical multiplier specs
  std::vector<std::string> nonlinear;  ///< distinct canonical GELU/softmax specs
  std::vector<LayerChoice> layers;

  /// Token keep ratio after each block (1 where the design prunes nothing).
  [[nodiscard]] std::vector<double> keep_after_block(const Workload& w) const;
};

/// The built-in defaults: exact:8s, W8A8 with per-channel weights, exact GELU and softmax, no
/// transforms, no pruning.
Design default_design(const Workload& workload);
/// The design of per-layer settings (aligned with Workload::layers(); fields a layer does not
/// accept are ignored). Throws Error where a layer's operands are wider than its multiplier;
/// `where`, if given, names each layer's source in that message.
Design make_design(const Workload& workload, std::span<const LayerSettings> settings,
                   std::span<const std::string> where = {});
/// Layer `i`'s settings in a design (the inverse of make_design for the fields it accepts).
LayerSettings layer_settings(const Design& design, std::size_t i);
/// Parses and validates a design file against the workload's model.
Design load_design(const std::filesystem::path& path, const Workload& workload);
Design parse_design(const std::string& yaml_text, const std::string& source, const Workload& workload);

/// Sorted, whitespace-free JSON of the per-layer assignment ({"layers":{name:{field:value}}}).
/// wquant, transform, ffn2_mode and divide appear only where they differ from their defaults
/// (ffn2_mode only where the layer prunes), so designs that leave them alone hash as before
/// they existed.
std::string canonical_json(const Design& design, const Workload& workload);
/// Layer `i`'s entry of canonical_json() ("{}" for a layer with no fields).
std::string canonical_layer_json(const Design& design, const Workload& workload, std::size_t i);
/// What each stage of a forward pass computes under the design: the canonical choices of the
/// embedding's layer, then of each block's layers (the final norm and the head are in none).
/// Two designs with equal leading keys compute the same states up to there.
std::vector<std::string> stage_keys(const Design& design, const Workload& workload);
/// First 16 hex digits of SHA-256 over canonical_json().
std::string design_hash(const Design& design, const Workload& workload);

/// Counts of layer `i` under the design: tokens from `schedule` (Workload::token_schedule of
/// keep_after_block()), FFN2 pruning, and the nonlinear implementation chosen (gelu:relu
/// evaluates no erf; a log2 divider divides by shifting).
LayerCounts design_counts(const Workload& workload, const Design& design, std::size_t i,
                          std::span<const std::int64_t> schedule);

}  // namespace vitdse::model

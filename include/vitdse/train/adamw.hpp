// AdamW with decoupled weight decay, and the warm-up + cosine learning-rate schedule.
#pragma once

#include <cstdint>

#include <string>
#include <vector>

#include "vitdse/eval/vit_weights.hpp"

namespace vitdse::train {

struct AdamWConfig {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.05;
};

/// torch.optim.AdamW's update, tensor by tensor:
/// w ← w·(1 - lr·λ) - lr · m̂ / (sqrt(v̂) + eps), with bias-corrected moments m̂, v̂.
/// Weight decay λ applies to weight matrices only, not to biases, norm parameters, the class
/// token or the position embedding (timm's no_weight_decay convention). A tensor whose gradient
/// stays zero (a batch norm's running statistics) is never moved.
class AdamW {
 public:
  /// Zero moments for tensors shaped as `parameters` (a model's eval::weight_tensors).
  AdamW(const std::vector<eval::WeightTensor>& parameters, AdamWConfig config);

  /// One step with learning rate `lr`; `weights` and `grad` list the tensors in the constructor's order.
  void step(const std::vector<eval::WeightTensor>& weights, const std::vector<eval::WeightTensor>& grad, double lr);

  [[nodiscard]] std::int64_t steps() const { return steps_; }
  /// The first and second moments, tensor by tensor in the constructor's order, for checkpoints.
  [[nodiscard]] std::vector<std::vector<float>>& first_moment() { return m_; }
  [[nodiscard]] std::vector<std::vector<float>>& second_moment() { return v_; }
  [[nodiscard]] const std::vector<std::vector<float>>& first_moment() const { return m_; }
  [[nodiscard]] const std::vector<std::vector<float>>& second_moment() const { return v_; }
  void set_steps(std::int64_t steps) { steps_ = steps; }

  /// Whether the tensor named `name` (timm's key) with `rank` dimensions is decayed.
  [[nodiscard]] static bool decays(const std::string& name, std::size_t rank);

 private:
  AdamWConfig config_;
  std::vector<std::vector<float>> m_, v_;
  std::int64_t steps_ = 0;
};

/// Linear warm-up from 0 to `peak` over `warmup` steps, then cosine decay to 0 at `total`
/// steps: the learning rate for step `step` (0-based).
double warmup_cosine(std::int64_t step, std::int64_t warmup, std::int64_t total, double peak);

}  // namespace vitdse::train

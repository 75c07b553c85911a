// Accuracy of nonlinear units against the exact functions, on stated inputs.
#pragma once

#include "vitdse/arith/nonlinear.hpp"

namespace vitdse::arith {

/// Mean and worst absolute error over the unit's reference inputs.
struct NonlinearError {
  double mae = 0;
  double max_error = 0;
};

/// GELU: 8,001 points evenly spaced on [-4, 4] (ViT MLP pre-activations lie almost all there).
NonlinearError gelu_error(const GeluUnit& unit);
/// Softmax: 256 rows of 64 logits drawn from N(0, 2^2) with seed 1 (attention scores of the
/// size a small ViT sees); error per probability.
NonlinearError softmax_error(const SoftmaxUnit& unit);
/// LayerNorm: 256 rows of 192 values from N(0.5, 1.5^2) with seed 2, plus one outlier of 20 per
/// row (ViT residual streams have a few large channels); eps = 1e-6.
NonlinearError layernorm_error(const LayerNormUnit& unit);

}  // namespace vitdse::arith

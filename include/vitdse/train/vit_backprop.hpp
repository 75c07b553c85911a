// Backpropagation through the ViT forward pass that the evaluator runs.
#pragma once

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/forward_tape.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::train {

/// Adds dL/dW for every weight to `grad` (shaped by eval::zero_vit_weights), given the tape of
/// a forward pass (eval::VitEngine::forward_recorded) and dL/dlogits, [count x classes].
///
/// Whatever a design's datapath emulated in the forward pass (approximate multipliers,
/// quantisers, nonlinear units) is differentiated as its float counterpart at the recorded
/// values: the straight-through estimator. Softmax uses the recorded probabilities, the card's
/// activation (GELU with erf, or ReLU) its derivative at the recorded fc1 output. Pruning passes
/// gradient only to what it kept: the kept tokens, and the FFN hidden units fc2 used.
void backpropagate(const model::ModelCard& card, const eval::VitWeights& weights, const eval::ForwardTape& tape,
                   const FloatMatrix& dlogits, eval::VitWeights& grad);

}  // namespace vitdse::train

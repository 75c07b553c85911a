// What the evaluators of every model family share: scoring logits and naming what a score depends on.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval::detail {

/// Bumped whenever an evaluator's arithmetic changes what a design scores.
constexpr const char* kEvaluatorVersion = "evaluator-2";

/// Scores `logits` of the evaluator's images against their labels and the float model's logits.
EvalReport score_logits(const FloatMatrix& logits, const FloatMatrix& float_logits, std::span<const int> labels);

/// The card's fields that shape the forward pass (the weights are hashed separately).
std::string card_identity(const model::ModelCard& card);

template <typename T>
std::string_view bytes_of(std::span<const T> values) {
  return {reinterpret_cast<const char*>(values.data()), values.size_bytes()};
}

}  // namespace vitdse::eval::detail

// What the evaluators of every model family share: scoring logits and naming what a score depends on.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval::detail {

/// Bumped whenever an evaluator's arithmetic changes what a design scores.
constexpr const char* kEvaluatorVersion = "evaluator-2";

/// An evaluator's images, normalised for the card: the test sample and its labels, and the
/// calibration images from the train split.
struct EvaluationImages {
  std::vector<float> inputs;
  std::vector<int> labels;
  std::vector<float> calibration_inputs;
  int calibration_count = 0;
};
EvaluationImages load_evaluation_images(const model::ModelCard& card, const DatasetSource& source,
                                        const EvalOptions& options);

/// Scores `logits` of the evaluator's images against their labels and the float model's logits.
EvalReport score_logits(const FloatMatrix& logits, const FloatMatrix& float_logits, std::span<const int> labels);

/// Scores row-major logits of every test image as score_logits does; a wrong count is an Error.
EvalReport score_flat_logits(std::span<const float> logits, const FloatMatrix& float_logits,
                             std::span<const int> labels);

/// The card's fields that shape the forward pass (the weights are hashed separately).
std::string card_identity(const model::ModelCard& card);

/// SHA-256 (hex) of everything a score depends on besides the design: the evaluator's version,
/// the card, each weight tensor, the test inputs and labels, the calibration inputs, the options.
std::string evaluator_fingerprint(const model::ModelCard& card, const std::vector<WeightTensor>& weights,
                                  std::span<const float> inputs, std::span<const int> labels,
                                  std::span<const float> calibration_inputs, const QuantOptions& quant);

template <typename T>
std::string_view bytes_of(std::span<const T> values) {
  return {reinterpret_cast<const char*>(values.data()), values.size_bytes()};
}

}  // namespace vitdse::eval::detail

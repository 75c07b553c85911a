// The convolutional model's evaluator: test images, float logits, calibration, per-design scores.
#include "vitdse/eval/conv_evaluator.hpp"

#include <chrono>

#include <spdlog/fmt/fmt.h>

#include "evaluator_common.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/eval/sampling.hpp"

namespace vitdse::eval {

ConvEvaluator::ConvEvaluator(const model::ModelCard& card, const EfficientVitWeights& weights,
                             const DatasetSource& source, const EvalOptions& options)
    : engine_(card, weights), options_(options) {
  detail::EvaluationImages images = detail::load_evaluation_images(card, source, options);
  inputs_ = std::move(images.inputs);
  labels_ = std::move(images.labels);
  calibration_ = record_conv_samples(engine_, images.calibration_inputs, images.calibration_count);

  EfficientVitWeights w = weights;  // viewed, not changed
  fingerprint_ = detail::evaluator_fingerprint(card, weight_tensors(w, card), inputs_, labels_,
                                               images.calibration_inputs, options.quant);
  const auto start = std::chrono::steady_clock::now();
  float_logits_ = engine_.forward(inputs_, static_cast<int>(labels_.size()));
  float_report_ = detail::score_logits(float_logits_, float_logits_, labels_);
  float_report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int ConvEvaluator::image_chunks() const {
  return (static_cast<int>(labels_.size()) + kConvImagesPerChunk - 1) / kConvImagesPerChunk;
}

ChunkLogits ConvEvaluator::chunk_logits(const model::Design& design, const model::Workload& workload, int first,
                                        int last) const {
  const auto start = std::chrono::steady_clock::now();
  const int chunks = image_chunks(), images = static_cast<int>(labels_.size());
  if (first < 0 || last > chunks || first >= last) {
    throw Error(fmt::format("chunks [{}, {}) of {} asked of the evaluator", first, last, chunks));
  }
  ChunkLogits out;
  // A whole design is evaluated once; its parts (other processes have the rest) share a datapath.
  std::shared_ptr<const ConvDesignDatapath> datapath;
  const bool partial = first != 0 || last != chunks;
  const std::string canonical = partial ? model::canonical_json(design, workload) : std::string();
  if (partial) {
    const std::lock_guard lock(kept_.mutex);
    if (kept_.design == canonical) datapath = kept_.datapath;
  }
  if (!datapath) {
    const auto setup = std::chrono::steady_clock::now();
    datapath = std::make_shared<const ConvDesignDatapath>(engine_, workload, design, calibration_, options_.quant);
    out.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - setup).count();
    if (partial) {
      const std::lock_guard lock(kept_.mutex);
      kept_.design = canonical;
      kept_.datapath = datapath;
    }
  }
  const int begin = first * kConvImagesPerChunk, end = std::min(images, last * kConvImagesPerChunk);
  const FloatMatrix logits = engine_.forward(
      std::span<const float>(inputs_).subspan(engine_.image_size() * static_cast<std::size_t>(begin),
                                              engine_.image_size() * static_cast<std::size_t>(end - begin)),
      end - begin, datapath.get());
  out.values.assign(logits.data(), logits.data() + logits.size());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

EvalReport ConvEvaluator::report(std::span<const float> logits) const {
  return detail::score_flat_logits(logits, float_logits_, labels_);
}

}  // namespace vitdse::eval

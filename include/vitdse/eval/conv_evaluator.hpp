// The evaluator of a convolutional model (EfficientViT) on the CPU: one forward pass per design
// through its ConvDesignDatapath, images in fixed chunks.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vitdse/eval/conv_design_datapath.hpp"
#include "vitdse/eval/efficientvit_engine.hpp"
#include "vitdse/eval/evaluator.hpp"

namespace vitdse::eval {

/// Images per chunk of the test set, the unit of work other processes can take: the engine's
/// own chunk, so a piece's logits are bit for bit those of a whole pass.
constexpr int kConvImagesPerChunk = kEfficientVitChunkImages;

/// Holds the model, the test images and the float model's logits on them, and the calibration
/// samples, so each design costs one forward pass. Stage states are not reused between designs.
///
///     ConvEvaluator ev(card, load_efficientvit_weights(card, path), resolve_dataset(card, {}), {});
///     EvalReport r = ev.evaluate(design, workload);
class ConvEvaluator final : public Evaluator {
 public:
  ConvEvaluator(const model::ModelCard& card, const EfficientVitWeights& weights, const DatasetSource& source,
                const EvalOptions& options);

  [[nodiscard]] const EvalReport& float_report() const override { return float_report_; }
  [[nodiscard]] const std::string& fingerprint() const override { return fingerprint_; }
  [[nodiscard]] int image_chunks() const override;
  [[nodiscard]] ChunkLogits chunk_logits(const model::Design& design, const model::Workload& workload, int first,
                                         int last) const override;
  [[nodiscard]] EvalReport report(std::span<const float> logits) const override;
  [[nodiscard]] std::size_t stages_reused() const override { return 0; }
  [[nodiscard]] Device device() const override { return Device::cpu(); }

 private:
  /// The datapath of the last design evaluated in part, for its other parts.
  struct KeptDatapath {
    std::mutex mutex;
    std::string design;  ///< canonical JSON
    std::shared_ptr<const ConvDesignDatapath> datapath;
  };

  EfficientVitEngine engine_;
  EvalOptions options_;
  std::vector<float> inputs_;
  std::vector<int> labels_;
  ActivationSamples calibration_;
  FloatMatrix float_logits_;
  EvalReport float_report_;
  std::string fingerprint_;
  mutable KeptDatapath kept_;
};

}  // namespace vitdse::eval

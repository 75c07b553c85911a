// The evaluator on the CPU: the engine's forward passes on TBB's threads, resumed from the last
// design's stage states where their leading stages agree; on a GPU device, the GEMMs with
// weights run there and the rest of the forward pass stays on the CPU.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vitdse/eval/evaluator.hpp"
#include "vitdse/eval/vit_engine.hpp"

namespace vitdse::eval {

/// Holds the model, the test images and the float model's logits on them, and the
/// calibration samples, so each design costs one forward pass.
///
///     CpuEvaluator ev(card, load_vit_weights(card), resolve_dataset(card, {}), {});
///     EvalReport r = ev.evaluate(design, workload);
class CpuEvaluator final : public Evaluator {
 public:
  /// `device` cuda:N: designs' weight GEMMs on GPU N (the float model stays on the CPU).
  CpuEvaluator(const model::ModelCard& card, VitWeights weights, const DatasetSource& source,
               const EvalOptions& options, Device device = Device::cpu());

  [[nodiscard]] const VitEngine& engine() const { return engine_; }
  [[nodiscard]] const EvalReport& float_report() const override { return float_report_; }
  [[nodiscard]] const std::string& fingerprint() const override { return fingerprint_; }
  [[nodiscard]] int image_chunks() const override;
  [[nodiscard]] ChunkLogits chunk_logits(const model::Design& design, const model::Workload& workload, int first,
                                         int last) const override;
  [[nodiscard]] EvalReport report(std::span<const float> logits) const override;
  [[nodiscard]] std::size_t stages_reused() const override;
  [[nodiscard]] Device device() const override { return device_; }

 private:
  /// Each chunk's stage states from the last design evaluated on it, and what each stage's
  /// datapath was: the canonical choices of its layers. One evaluation at a time uses it;
  /// others run without.
  struct PrefixCache {
    std::mutex mutex;
    std::vector<std::vector<std::string>> keys;  ///< per chunk; empty: no valid states
    StageStates states;
    std::size_t reused = 0;
  };
  /// The datapath of the last design evaluated in part, for its other parts: building one (its
  /// weights quantised and packed) costs as much as a few chunks' forward passes.
  struct KeptDatapath {
    std::mutex mutex;
    std::string design;  ///< canonical JSON
    std::shared_ptr<const DesignDatapath> datapath;
  };

  /// Scores logits of the evaluator's images against the labels and the float model.
  [[nodiscard]] EvalReport score(const FloatMatrix& logits) const;
  /// The design's datapath: the kept one if it is this design's; else built (and kept when
  /// `keep`), adding the seconds that took to `setup_seconds`.
  [[nodiscard]] std::shared_ptr<const DesignDatapath> datapath_for(const model::Design& design,
                                                                   const model::Workload& workload, bool keep,
                                                                   double& setup_seconds) const;

  VitEngine engine_;
  EvalOptions options_;
  Device device_;
  std::vector<float> inputs_;
  std::vector<int> labels_;
  ActivationSamples calibration_;
  FloatMatrix float_logits_;
  EvalReport float_report_;
  std::string fingerprint_;
  bool prefix_fits_ = false;
  mutable PrefixCache prefix_;
  mutable KeptDatapath kept_;
};

}  // namespace vitdse::eval

// The evaluator on the CPU: the engine's forward passes on TBB's threads, resumed from the last
// design's stage states where their leading stages agree; on a GPU device, the GEMMs with
// weights run there and the rest of the forward pass stays on the CPU.
#pragma once

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
  [[nodiscard]] EvalReport evaluate(const model::Design& design, const model::Workload& workload) const override;
  /// Scores logits of the evaluator's images against the labels and the float model.
  [[nodiscard]] EvalReport score(const FloatMatrix& logits) const;
  [[nodiscard]] std::size_t stages_reused() const override;
  [[nodiscard]] Device device() const override { return device_; }

 private:
  /// The last evaluated design's stage states and what each stage's datapath was: the
  /// canonical choices of its layers. One evaluation at a time uses it; others run without.
  struct PrefixCache {
    std::mutex mutex;
    std::vector<std::string> keys;
    StageStates states;
    std::size_t reused = 0;
  };

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
};

}  // namespace vitdse::eval

// The evaluator: a model on a fixed set of test images, scoring designs against the float model.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/design_datapath.hpp"
#include "vitdse/eval/vit_engine.hpp"
#include "vitdse/model/design.hpp"

namespace vitdse::eval {

struct EvalOptions {
  std::size_t images = 1000;            ///< test images, sampled with `seed` from the test split
  std::size_t calibration_images = 64;  ///< from the train split, for activation scales
  std::uint64_t seed = 0;
  QuantOptions quant;
  /// Resume each design from the last one's stage states where their leading stages agree,
  /// if those states fit in kPrefixCacheBytes.
  bool prefix_reuse = true;
};

/// The most memory the evaluator's stage states may take: above it, prefix reuse is off.
constexpr std::size_t kPrefixCacheBytes = std::size_t{256} << 20;

/// What a design scores on the evaluator's images.
struct EvalReport {
  std::size_t images = 0;
  double top1_pct = 0;                                   ///< accuracy against the labels
  double top1_ci95_low_pct = 0, top1_ci95_high_pct = 0;  ///< Wilson score interval
  double agreement_pct = 0;                              ///< top-1 equal to the float model's
  double kl_mean = 0;                                    ///< mean KL(float || design) of the softmax outputs, nats
  double logit_mse = 0;                                  ///< mean squared logit difference from the float model
  double snr_db = 0;   ///< 10·log10(sum of float logits² / sum of squared differences); inf if equal
  double seconds = 0;  ///< wall time of the design's forward passes
};

/// Holds the model, the test images and the float model's logits on them, and the
/// calibration samples, so each design costs one forward pass.
///
///     Evaluator ev(card, load_vit_weights(card), resolve_dataset(card, {}), {});
///     EvalReport r = ev.evaluate(design, workload);
class Evaluator {
 public:
  Evaluator(const model::ModelCard& card, VitWeights weights, const DatasetSource& source, const EvalOptions& options);

  [[nodiscard]] const VitEngine& engine() const { return engine_; }
  [[nodiscard]] const EvalReport& float_report() const { return float_report_; }
  /// SHA-256 (hex) of everything a score depends on besides the design: the evaluator's version,
  /// the card, the weights, the test images and labels, the calibration images and the options.
  [[nodiscard]] const std::string& fingerprint() const { return fingerprint_; }
  /// `design` must have been resolved against a workload of this evaluator's card.
  [[nodiscard]] EvalReport evaluate(const model::Design& design, const model::Workload& workload) const;
  /// Scores logits of the evaluator's images against the labels and the float model.
  [[nodiscard]] EvalReport score(const FloatMatrix& logits) const;
  /// Stages (embedding, blocks) taken from the previous design so far, over all evaluations.
  [[nodiscard]] std::size_t stages_reused() const;

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
  std::vector<float> inputs_;
  std::vector<int> labels_;
  ActivationSamples calibration_;
  FloatMatrix float_logits_;
  EvalReport float_report_;
  std::string fingerprint_;
  bool prefix_fits_ = false;
  mutable PrefixCache prefix_;
};

/// The Wilson score interval of `successes` in `n` at 95% (z = 1.96), in percent.
std::pair<double, double> wilson_interval_pct(std::size_t successes, std::size_t n);

}  // namespace vitdse::eval

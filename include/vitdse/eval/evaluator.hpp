// The evaluator: a model on a fixed set of test images, scoring designs against the float model;
// the interface, its options and report, and the factory that picks an implementation by device.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/design_datapath.hpp"
#include "vitdse/eval/efficientvit_weights.hpp"
#include "vitdse/eval/vit_weights.hpp"
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

/// Logits of some of the test images under a design, and what computing them took.
struct ChunkLogits {
  std::vector<float> values;  ///< [images x classes], row-major
  double seconds = 0;         ///< wall time, the design's datapath included
  double setup_seconds = 0;   ///< of which building the datapath (0 when it was kept from before)
};

/// Where an evaluator runs: the CPU, or GPU `index` ("cuda:N"). Scores do not depend on it.
struct Device {
  enum class Kind { cpu, cuda };
  Kind kind = Kind::cpu;
  int index = 0;  ///< the GPU, for cuda

  static Device cpu() { return {}; }
  static Device cuda(int index) { return {Kind::cuda, index}; }
  bool operator==(const Device&) const = default;
};
/// "cpu" or "cuda:N".
std::string to_string(Device device);
/// A device by name: "cpu", "cuda" (cuda:0) or "cuda:N". A malformed name, or a GPU this build
/// or machine cannot use (no CUDA back end, no driver, no such GPU), is a usage Error of one line.
Device parse_device(const std::string& name);
/// True when this build has the CUDA back end (whether or not this machine has a GPU).
bool built_with_cuda();
/// Why `device` cannot run evaluations ("" when it can).
std::string device_unavailable(Device device);
/// The device in words, e.g. "cpu" or "cuda:0 (NVIDIA H100 80GB HBM3, 79.1 GiB, ...)".
std::string describe(Device device);

/// A model on a fixed set of test images, scoring designs against the float model on them. Each
/// implementation runs the same arithmetic on one kind of device; the layers above hold an
/// `Evaluator` from `make_evaluator` and never learn which.
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  Evaluator() = default;
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  /// The float model's score on the evaluator's images.
  [[nodiscard]] virtual const EvalReport& float_report() const = 0;
  /// SHA-256 (hex) of everything a score depends on besides the design: the evaluator's version,
  /// the card, the weights, the test images and labels, the calibration images and the options.
  [[nodiscard]] virtual const std::string& fingerprint() const = 0;
  /// `design` must have been resolved against a workload of this evaluator's card. Thread-safe.
  [[nodiscard]] EvalReport evaluate(const model::Design& design, const model::Workload& workload) const;

  /// The test images fall into this many chunks, whose logits do not depend on one another's: a
  /// design can be evaluated a range of chunks at a time (on different processes) and scored
  /// from the pieces to the same bits.
  [[nodiscard]] virtual int image_chunks() const = 0;
  /// The logits ([images x classes], row-major) of the images in chunks [first, last) under
  /// `design`. Thread-safe.
  [[nodiscard]] virtual ChunkLogits chunk_logits(const model::Design& design, const model::Workload& workload,
                                                 int first, int last) const = 0;
  /// The score of every test image's logits (row-major, in image order), as evaluate() gives it
  /// (seconds 0).
  [[nodiscard]] virtual EvalReport report(std::span<const float> logits) const = 0;
  /// Stages (embedding, blocks) taken from the previous design so far, over all evaluations.
  [[nodiscard]] virtual std::size_t stages_reused() const = 0;
  [[nodiscard]] virtual Device device() const = 0;
};

/// The evaluator of `card` with `weights` on `options.images` test images of `source`, on `device`.
///
///     auto ev = make_evaluator(card, load_vit_weights(card), resolve_dataset(card, {}), {});
///     EvalReport r = ev->evaluate(design, workload);
/// On cuda:N the forward pass runs on the CPU as on `cpu`, and every GEMM with weights on GPU N.
std::unique_ptr<Evaluator> make_evaluator(const model::ModelCard& card, VitWeights weights, const DatasetSource& source,
                                          const EvalOptions& options, Device device = Device::cpu());

/// The convolutional evaluator of an EfficientViT `card` with `weights`, on the CPU (another
/// device is a usage Error of one line).
std::unique_ptr<Evaluator> make_evaluator(const model::ModelCard& card, const EfficientVitWeights& weights,
                                          const DatasetSource& source, const EvalOptions& options,
                                          Device device = Device::cpu());

/// The evaluator of `card` with its own `weights:` file, for any family the engines run: the
/// ViT evaluator, or on family efficientvit the convolutional one (CPU only: another device is a
/// usage Error of one line).
std::unique_ptr<Evaluator> make_evaluator(const model::ModelCard& card, const DatasetSource& source,
                                          const EvalOptions& options, Device device = Device::cpu());

/// The Wilson score interval of `successes` in `n` at 95% (z = 1.96), in percent.
std::pair<double, double> wilson_interval_pct(std::size_t successes, std::size_t n);

}  // namespace vitdse::eval

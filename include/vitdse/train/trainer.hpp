// Minibatch training of a ViT: augmentation, forward, backward and AdamW, in parallel over
// fixed chunks of each batch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "vitdse/eval/datapath.hpp"
#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/vit_engine.hpp"
#include "vitdse/train/adamw.hpp"
#include "vitdse/train/augment.hpp"

namespace vitdse::train {

/// Defaults: the recipe that trained the shipped vit-fmnist models (docs/training.md).
struct TrainOptions {
  int epochs = 32;
  int batch = 128;
  double lr = 3e-3;            ///< peak learning rate
  double warmup_epochs = 1.0;  ///< linear warm-up, then cosine decay to 0 at the last step
  double label_smoothing = 0.1;
  Augmentation augmentation;
  AdamWConfig adamw;
  std::uint64_t seed = 0;  ///< data order and augmentation (the initial weights are the caller's)
};

/// The running state of an epoch, for progress display.
struct StepReport {
  int epoch = 0;
  std::int64_t step = 0;   ///< steps done in this epoch
  std::int64_t steps = 0;  ///< steps per epoch
  double loss = 0;         ///< mean training loss so far this epoch
  double top1_pct = 0;     ///< training accuracy so far this epoch (on augmented images)
  double images_per_s = 0;
  double lr = 0;
};

/// A finished epoch.
struct EpochReport {
  int epoch = 0;
  double loss = 0;
  double top1_pct = 0;
  double seconds = 0;
  double images_per_s = 0;
};

/// Builds the datapath a training step of epoch `epoch` runs on, from the current weights;
/// null: float.
using DatapathFactory = std::function<std::unique_ptr<eval::Datapath>(const eval::VitEngine& engine, int epoch)>;

/// Trains `weights` on `data` (normalised as the card says). Each epoch visits the images in an
/// order drawn from (seed, epoch) and drops the last partial batch. Each batch is split into
/// fixed chunks that run forward and backward on TBB's threads, each into its own gradient, and
/// the chunk gradients are summed in order, so a run is the same for any thread count.
///
///     Trainer t(card, eval::random_vit_weights(card, 0), train_split, {});
///     for (int e = 0; e < 12; ++e) t.train_epoch(e);
///     eval::save_vit_weights(card, t.engine().weights(), "w.safetensors");
class Trainer {
 public:
  Trainer(const model::ModelCard& card, eval::VitWeights weights, const eval::Dataset& data, TrainOptions options);

  /// Trains epoch `epoch` (0-based); `on_step` sees the running state after each step. With a
  /// `datapath` factory, every step's forward pass runs the datapath it builds from the current
  /// weights, and the backward pass is the straight-through estimator (vit_backprop.hpp).
  EpochReport train_epoch(int epoch, const std::function<void(const StepReport&)>& on_step = {},
                          const DatapathFactory& datapath = {});

  [[nodiscard]] const eval::VitEngine& engine() const { return engine_; }
  [[nodiscard]] const TrainOptions& options() const { return options_; }
  [[nodiscard]] std::int64_t steps_per_epoch() const;

  /// Mean loss and the gradient over images `indices` of the data, without augmentation: for
  /// gradient checks and tests. `grad` is overwritten.
  double loss_and_gradient(std::span<const std::size_t> indices, eval::VitWeights& grad,
                           const eval::Datapath* datapath = nullptr) const;

  /// Writes weights, optimiser moments and progress (`epochs_done`) to a safetensors file,
  /// atomically (a temporary file renamed over the target).
  void save_checkpoint(const std::filesystem::path& path, int epochs_done) const;
  /// Restores a checkpoint of this card written with the same options; returns its epochs done.
  /// A checkpoint of another shape or other options is a one-line Error.
  int load_checkpoint(const std::filesystem::path& path);

 private:
  /// Forward and backward over `count` images at `images`, adding the gradient of
  /// scale · Σ loss to `grad`; returns Σ loss and counts correct top-1 into `correct`.
  double chunk_gradient(std::span<const float> images, std::span<const int> labels, double scale,
                        const eval::Datapath* datapath, eval::VitWeights& grad, int& correct) const;
  /// A fingerprint of the options that decide the trajectory, stored in checkpoints.
  [[nodiscard]] std::string options_fingerprint() const;

  model::ModelCard card_;
  eval::VitEngine engine_;
  const eval::Dataset* data_;
  TrainOptions options_;
  AdamW optimiser_;
  std::vector<float> fill_;  ///< a black pixel, normalised, per channel
};

}  // namespace vitdse::train

// Minibatch training of a ViT or an EfficientViT: augmentation, forward, backward and AdamW, in parallel over
// fixed chunks of each batch.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "vitdse/eval/conv_datapath.hpp"
#include "vitdse/eval/datapath.hpp"
#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/efficientvit_weights.hpp"
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

/// The ViT family in the training loop: the engine holds the weights and records the forward
/// pass; vit_backprop differentiates it.
struct VitTraining {
  using Weights = eval::VitWeights;
  using Model = eval::VitEngine;
  using Datapath = eval::Datapath;
  static Weights zero(const model::ModelCard& card);
  /// Images per chunk of a batch: enough rows for efficient GEMMs.
  static int images_per_chunk(const model::ModelCard& card);
  /// Adds the gradient of scale · Σ loss over the images to `grad`; returns Σ loss and counts
  /// correct top-1 into `correct`.
  static double chunk_gradient(const Model& model, std::span<const float> images, std::span<const int> labels,
                               double smoothing, double scale, const Datapath* datapath, Weights& grad, int& correct);
  /// Before the optimiser's step, with the batch's summed gradient: nothing for a ViT.
  static void before_step(const model::ModelCard& /*card*/, Model& /*model*/, Weights& /*grad*/) {}
};

/// The EfficientViT family in the training loop: batch norms on each chunk's statistics
/// (efficientvit_backprop.hpp), running statistics updated after every step.
struct EfficientVitTraining {
  using Weights = eval::EfficientVitWeights;
  /// The weights being trained, read directly by the training forward pass.
  class Model {
   public:
    Model(const model::ModelCard& card, Weights weights);
    [[nodiscard]] const model::ModelCard& card() const { return card_; }
    [[nodiscard]] const Weights& weights() const { return weights_; }
    [[nodiscard]] Weights& mutable_weights() { return weights_; }

   private:
    model::ModelCard card_;
    Weights weights_;
  };
  using Datapath = eval::ConvDatapath;
  static Weights zero(const model::ModelCard& card);
  /// Images per chunk, and so per batch-norm statistic (as one GPU of data-parallel PyTorch
  /// without synchronised batch norm): a fixed count, so a run is the same on any thread count.
  static int images_per_chunk(const model::ModelCard& card);
  /// As VitTraining's; the chunk's batch statistics go, weighted by its share of the batch, into
  /// the running-statistic slots of `grad`. A design in the loop is refused: not supported yet.
  static double chunk_gradient(const Model& model, std::span<const float> images, std::span<const int> labels,
                               double smoothing, double scale, const Datapath* datapath, Weights& grad, int& correct);
  /// Moves the running statistics towards the batch's (PyTorch's momentum) and clears their slots.
  static void before_step(const model::ModelCard& card, Model& model, Weights& grad);
};

/// Trains `weights` on `data` (normalised as the card says). Each epoch visits the images in an
/// order drawn from (seed, epoch) and drops the last partial batch. Each batch is split into
/// fixed chunks that run forward and backward on TBB's threads, each into its own gradient, and
/// the chunk gradients are summed in order, so a run is the same for any thread count.
///
///     Trainer t(card, eval::random_vit_weights(card, 0), train_split, {});
///     for (int e = 0; e < 12; ++e) t.train_epoch(e);
///     eval::save_vit_weights(card, t.engine().weights(), "w.safetensors");
template <class Family>
class BasicTrainer {
 public:
  using Weights = typename Family::Weights;
  using Model = typename Family::Model;
  using Datapath = typename Family::Datapath;
  using Factory = std::function<std::unique_ptr<Datapath>(const Model& model, int epoch)>;

  BasicTrainer(const model::ModelCard& card, Weights weights, const eval::Dataset& data, TrainOptions options);

  /// Trains epoch `epoch` (0-based); `on_step` sees the running state after each step. With a
  /// `datapath` factory, every step's forward pass runs the datapath it builds from the current
  /// weights, and the backward pass is the straight-through estimator (vit_backprop.hpp).
  EpochReport train_epoch(int epoch, const std::function<void(const StepReport&)>& on_step = {},
                          const Factory& datapath = {});

  [[nodiscard]] const Model& engine() const { return model_; }
  [[nodiscard]] const TrainOptions& options() const { return options_; }
  [[nodiscard]] std::int64_t steps_per_epoch() const;

  /// Mean loss and the gradient over images `indices` of the data, without augmentation: for
  /// gradient checks and tests. `grad` is overwritten.
  double loss_and_gradient(std::span<const std::size_t> indices, Weights& grad,
                           const Datapath* datapath = nullptr) const;

  /// Writes weights, optimiser moments and progress (`epochs_done`) to a safetensors file,
  /// atomically (a temporary file renamed over the target).
  void save_checkpoint(const std::filesystem::path& path, int epochs_done) const;
  /// Restores a checkpoint of this card written with the same options; returns its epochs done.
  /// A checkpoint of another shape or other options is a one-line Error.
  int load_checkpoint(const std::filesystem::path& path);

 private:
  /// A fingerprint of the options that decide the trajectory, stored in checkpoints.
  [[nodiscard]] std::string options_fingerprint() const;

  model::ModelCard card_;
  Model model_;
  const eval::Dataset* data_;
  TrainOptions options_;
  AdamW optimiser_;
  std::vector<float> fill_;  ///< a black pixel, normalised, per channel
};

using Trainer = BasicTrainer<VitTraining>;
using EfficientVitTrainer = BasicTrainer<EfficientVitTraining>;

}  // namespace vitdse::train

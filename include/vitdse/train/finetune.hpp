// Approximation-aware fine-tuning: a design's arithmetic in the training loop.
#pragma once

#include <cstddef>
#include <vector>

#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/design_datapath.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"
#include "vitdse/train/trainer.hpp"

namespace vitdse::train {

struct FinetuneOptions {
  /// Bits for every layer's weights and activations, stepped down over equal shares of the
  /// epochs (ASCEND's progressive quantisation); empty: the design's own bits throughout.
  std::vector<int> progressive_bits;
  eval::QuantOptions quant;
  /// Activation scales are re-calibrated on `calibration` every this many steps, as the
  /// weights move.
  int recalibrate_every = 50;
};

/// `vitdse finetune`'s recipe: 3 epochs, AdamW at peak lr 2e-4 after 0.2 epoch of warm-up, no
/// random crop or flip (the rest as TrainOptions).
TrainOptions finetune_defaults();

/// A datapath factory that runs every training step on `design`'s arithmetic (multipliers,
/// quantisers, GELU and softmax units, pruning) built from the current weights, so the forward
/// pass is exactly the evaluator's and the backward pass is the straight-through estimator.
/// `calibration` holds normalised calibration images (`count` of them). `workload` must outlive
/// the factory.
DatapathFactory design_in_the_loop(const model::Workload& workload, const model::Design& design,
                                   std::vector<float> calibration, int count, int epochs,
                                   const FinetuneOptions& options);

/// design_in_the_loop, calibrated on `calibration_images` training images of `source` drawn
/// with `seed`.
DatapathFactory design_in_the_loop(const model::ModelCard& card, const model::Workload& workload,
                                   const model::Design& design, const eval::DatasetSource& source,
                                   std::size_t calibration_images, std::uint64_t seed, int epochs,
                                   const FinetuneOptions& options);

/// `initial` fine-tuned for `options.epochs` epochs with `design`'s arithmetic in the loop, on
/// the first `train_images` training images of `source` (0: all), with activation scales
/// calibrated on `calibration_images` training images. Quiet: no progress line, no checkpoints,
/// for scenarios that fine-tune many designs (the reproductions); `vitdse finetune` drives the
/// same loop through run_training.
eval::VitWeights finetune_weights(const model::ModelCard& card, const eval::VitWeights& initial,
                                  const model::Workload& workload, const model::Design& design,
                                  const eval::DatasetSource& source, const TrainOptions& options,
                                  std::size_t train_images, const FinetuneOptions& finetune = {},
                                  std::size_t calibration_images = 64);

/// `design` with the weight and activation bits of every layer that has them set to `bits`.
model::Design with_bits(const model::Design& design, int bits);

}  // namespace vitdse::train

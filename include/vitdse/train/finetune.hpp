// Approximation-aware fine-tuning: a design's arithmetic in the training loop.
#pragma once

#include <vector>

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

/// A datapath factory that runs every training step on `design`'s arithmetic (multipliers,
/// quantisers, GELU and softmax units, pruning) built from the current weights, so the forward
/// pass is exactly the evaluator's and the backward pass is the straight-through estimator.
/// `calibration` holds normalised calibration images (`count` of them). `workload` must outlive
/// the factory.
DatapathFactory design_in_the_loop(const model::Workload& workload, const model::Design& design,
                                   std::vector<float> calibration, int count, int epochs,
                                   const FinetuneOptions& options);

/// `design` with the weight and activation bits of every layer that has them set to `bits`.
model::Design with_bits(const model::Design& design, int bits);

}  // namespace vitdse::train

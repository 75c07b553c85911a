// A whole training run as the train and finetune commands drive it: data, epochs with progress
// and checkpoints, the final test accuracy, and the weights written with their card.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "vitdse/train/trainer.hpp"

namespace vitdse::train {

struct TrainingRun {
  model::ModelCard card;
  std::variant<eval::VitWeights, eval::EfficientVitWeights> initial;  ///< the starting weights, of the card's family
  TrainOptions options;
  std::string data;              ///< the --data flag; empty: $VITDSE_DATA, then the card's dataset
  std::size_t train_images = 0;  ///< the first N training images; 0: all
  std::size_t test_images = 0;   ///< for the accuracy at the end; 0: the whole test split
  std::filesystem::path out;     ///< the weights to write; the card goes beside them (.yaml)
  std::filesystem::path checkpoint;
  bool resume = false;       ///< continue from `checkpoint` if it exists
  std::string command;       ///< recorded in the card
  DatapathFactory datapath;  ///< fine-tuning (ViT only): the design in the loop; empty: float
  /// Test top-1 (%) of weights on the first `images` of a fixed sample of the test split;
  /// empty: the float model's. Fine-tuning (ViT only) scores the design instead.
  std::function<double(const eval::VitWeights& weights, std::size_t images)> top1;
  /// Lines added to the card's `training:` block, e.g. {"design", "\"d.yaml\""} (YAML values).
  std::vector<std::pair<std::string, std::string>> card_fields;
};

struct TrainingResult {
  double test_top1_pct = 0;
  std::size_t test_images = 0;
  double seconds = 0;  ///< wall time of this process's epochs
  std::filesystem::path weights, card;
  std::string summary;  ///< what the command prints
};

/// Trains epoch by epoch with a progress line, logs each epoch's loss, accuracy, test accuracy
/// on up to 2000 test images and throughput, checkpoints after every epoch, measures top-1 on
/// the test split at the end, and writes the weights (timm layout, float32) and a copy of the
/// card that names them and records the run under `training:`. With `resume` and an existing
/// checkpoint, it continues after the checkpoint's last epoch.
TrainingResult run_training(const TrainingRun& run);

}  // namespace vitdse::train

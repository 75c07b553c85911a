// The options that train and finetune share, and turning them into a training run.
#pragma once

#include <string>

#include "cli/options.hpp"
#include "vitdse/train/training_run.hpp"

namespace vitdse::cli {

/// Defaults that differ between training from scratch and fine-tuning.
struct TrainingDefaults {
  int epochs;
  double lr;
  double warmup_epochs;
  int pad;
  bool flip;
  const char* out_suffix;  ///< default weights: <model name><suffix>.safetensors
};

/// The shared flags, parsed into `run` (options) and the fields below.
struct TrainingFlags {
  std::string model, out, data, checkpoint;
  std::uint64_t train_images = 0;
  bool fast = false, resume = false, flip = true;
};

void add_training_options(po::options_description& options, train::TrainingRun& run, TrainingFlags& flags,
                          const TrainingDefaults& defaults);

/// Applies --fast, loads the card, resolves the output and checkpoint paths and records the
/// command line; the caller sets the initial weights.
void resolve_training_run(const Context& ctx, const std::string& command, train::TrainingRun& run,
                          const TrainingFlags& flags, const TrainingDefaults& defaults);

}  // namespace vitdse::cli

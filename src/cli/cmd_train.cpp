// vitdse train: a ViT or an EfficientViT from scratch on its card's dataset, written in timm's layout with a card.
#include <ostream>

#include "cli/training_options.hpp"

namespace vitdse::cli {

int train_command(Context& ctx) {
  // TrainOptions' defaults are the recipe that trained the shipped models.
  const train::TrainOptions recipe;
  const TrainingDefaults defaults{
      recipe.epochs, recipe.lr, recipe.warmup_epochs, recipe.augmentation.pad, recipe.augmentation.flip, ""};
  po::options_description options("options");
  train::TrainingRun run;
  TrainingFlags flags;
  add_training_options(options, run, flags, defaults);
  po::variables_map vm;
  if (!parse_options(ctx, "train", "[--model M] [--epochs E] [--out W.safetensors] [--seed S] [--fast]", options, vm)) {
    return 0;
  }
  resolve_training_run(ctx, "train", run, flags, defaults);
  if (run.card.family == model::Family::efficientvit) {
    run.initial = eval::random_efficientvit_weights(run.card, run.options.seed);
  } else {
    run.initial = eval::random_vit_weights(run.card, run.options.seed);
  }
  ctx.out << train::run_training(run).summary;
  return 0;
}

}  // namespace vitdse::cli

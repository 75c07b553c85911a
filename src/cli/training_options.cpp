// Shared options of vitdse train and vitdse finetune.
#include "cli/training_options.hpp"

#include "cli/inputs.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::cli {

void add_training_options(po::options_description& options, train::TrainingRun& run, TrainingFlags& flags,
                          const TrainingDefaults& defaults) {
  auto& o = run.options;
  options.add_options()("model", po::value(&flags.model)->default_value(kDefaultModel),
                        "model card: a zoo name or a path")(
      "epochs", po::value(&o.epochs)->default_value(defaults.epochs), "epochs over the training images")(
      "batch", po::value(&o.batch)->default_value(128), "images per optimiser step")(
      "lr", po::value(&o.lr)->default_value(defaults.lr, format_number(defaults.lr)), "peak learning rate (AdamW)")(
      "weight-decay", po::value(&o.adamw.weight_decay)->default_value(0.05), "AdamW weight decay on weight matrices")(
      "warmup", po::value(&o.warmup_epochs)->default_value(defaults.warmup_epochs),
      "linear warm-up, in epochs; then cosine decay to 0")(
      "label-smoothing", po::value(&o.label_smoothing)->default_value(0.1), "cross-entropy label smoothing")(
      "pad", po::value(&o.augmentation.pad)->default_value(defaults.pad), "random-crop padding in pixels (0: no crop)")(
      "flip", po::value(&flags.flip)->default_value(defaults.flip), "random horizontal flip (true|false)")(
      "seed", po::value(&o.seed)->default_value(0), "seed of the initial weights, data order and augmentation")(
      "out", po::value(&flags.out),
      (std::string("weights to write (default: <model name>") + defaults.out_suffix +
       ".safetensors); the card goes beside them")
          .c_str())("data", po::value(&flags.data),
                    "dataset: a path or kind:path (default: $VITDSE_DATA, then the card's dataset)")(
      "train-images", po::value(&flags.train_images)->default_value(0),
      "use only the first N training images (0: all)")("test-images", po::value(&run.test_images)->default_value(0),
                                                       "test images for the final accuracy (0: the whole test split)")(
      "checkpoint", po::value(&flags.checkpoint), "checkpoint file, written after every epoch (default: <out>.ckpt)")(
      "resume", po::bool_switch(&flags.resume), "continue from the checkpoint if it exists")(
      "fast", po::bool_switch(&flags.fast),
      "a quick check: 3000 training images, 3 epochs of batch 32 (282 steps), 1000 test images");
}

void resolve_training_run(const Context& ctx, const std::string& command, train::TrainingRun& run,
                          const TrainingFlags& flags, const TrainingDefaults& defaults) {
  run.options.augmentation.flip = flags.flip;
  run.train_images = flags.train_images;
  if (flags.fast) {  // --train-images and --test-images given explicitly still apply
    if (run.train_images == 0) run.train_images = 3000;
    if (run.test_images == 0) run.test_images = 1000;
    run.options.epochs = 3;
    run.options.batch = 32;
  }
  run.card = model::load_model_card(flags.model);
  run.out = flags.out.empty() ? std::filesystem::path(run.card.name + defaults.out_suffix + ".safetensors")
                              : std::filesystem::path(flags.out);
  run.checkpoint = flags.checkpoint.empty() ? std::filesystem::path(run.out.string() + ".ckpt")
                                            : std::filesystem::path(flags.checkpoint);
  run.resume = flags.resume;
  run.data = flags.data;
  run.command = "vitdse " + command + " " + join(ctx.args, " ");
}

}  // namespace vitdse::cli

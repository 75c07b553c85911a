// vitdse train: a ViT from scratch on its card's dataset, written in timm's layout with a card.
#include <chrono>
#include <filesystem>
#include <ostream>
#include <thread>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <tbb/info.h>

#include "cli/options.hpp"
#include "cli/inputs.hpp"
#include "vitdse/train/training_run.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::cli {

int train_command(Context& ctx) {
  po::options_description options("options");
  std::string model, out, data, checkpoint;
  train::TrainingRun run;
  std::uint64_t train_images = 0;
  bool fast = false, resume = false;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel), "model card: a zoo name or a path")(
      "epochs", po::value(&run.options.epochs)->default_value(12), "epochs over the training images")(
      "batch", po::value(&run.options.batch)->default_value(128), "images per optimiser step")(
      "lr", po::value(&run.options.lr)->default_value(2e-3), "peak learning rate (AdamW)")(
      "weight-decay", po::value(&run.options.adamw.weight_decay)->default_value(0.05),
      "AdamW weight decay on weight matrices")(
      "warmup", po::value(&run.options.warmup_epochs)->default_value(1.0), "linear warm-up, in epochs; then cosine")(
      "label-smoothing", po::value(&run.options.label_smoothing)->default_value(0.1), "cross-entropy label smoothing")(
      "pad", po::value(&run.options.augmentation.pad)->default_value(2), "random-crop padding in pixels (0: no crop)")(
      "no-flip", po::bool_switch(), "no random horizontal flip")(
      "seed", po::value(&run.options.seed)->default_value(0), "seed of the initial weights, data order and augmentation")(
      "out", po::value(&out), "weights to write (default: <model name>.safetensors); the card goes beside them")(
      "data", po::value(&data), "dataset: a path or kind:path (default: $VITDSE_DATA, then the card's dataset)")(
      "train-images", po::value(&train_images)->default_value(0), "use only the first N training images (0: all)")(
      "test-images", po::value(&run.test_images)->default_value(0),
      "test images for the final accuracy (0: the whole test split)")(
      "checkpoint", po::value(&checkpoint), "checkpoint file, written after every epoch (default: <out>.ckpt)")(
      "resume", po::bool_switch(&resume), "continue from the checkpoint if it exists")(
      "fast", po::bool_switch(&fast),
      "a quick check: 3000 training images, 3 epochs of batch 32 (282 steps), 1000 test images");
  po::variables_map vm;
  if (!parse_options(ctx, "train", "[--model M] [--epochs E] [--out W.safetensors] [--seed S] [--fast]", options,
                     vm)) {
    return 0;
  }
  run.options.augmentation.flip = !vm["no-flip"].as<bool>();
  if (fast) {
    train_images = 3000;
    run.options.epochs = 3;
    run.options.batch = 32;
    run.test_images = 1000;
  }
  run.card = model::load_model_card(model);
  run.out = out.empty() ? std::filesystem::path(run.card.name + ".safetensors") : std::filesystem::path(out);
  run.checkpoint = checkpoint.empty() ? std::filesystem::path(run.out.string() + ".ckpt") : std::filesystem::path(checkpoint);
  run.resume = resume;
  run.data = data;
  run.train_images = train_images;
  run.command = "vitdse train " + join(ctx.args, " ");
  run.initial = eval::random_vit_weights(run.card, run.options.seed);
  const auto result = train::run_training(run);
  ctx.out << result.summary;
  return 0;
}

}  // namespace vitdse::cli

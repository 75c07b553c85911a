// The design in the training loop, with progressive bit widths and periodic re-calibration.
#include "vitdse/train/finetune.hpp"

#include <memory>
#include <numeric>
#include <optional>

#include "vitdse/core/error.hpp"
#include "vitdse/eval/normalise.hpp"

namespace vitdse::train {

TrainOptions finetune_defaults() {
  TrainOptions o;
  o.epochs = 3;
  o.lr = 2e-4;
  o.warmup_epochs = 0.2;
  o.augmentation.pad = 0;
  o.augmentation.flip = false;
  return o;
}

model::Design with_bits(const model::Design& design, int bits) {
  model::Design out = design;
  for (auto& layer : out.layers) {
    if (layer.wbits > 0) layer.wbits = static_cast<std::int8_t>(bits);
    if (layer.abits > 0) layer.abits = static_cast<std::int8_t>(bits);
  }
  return out;
}

DatapathFactory design_in_the_loop(const model::Workload& workload, const model::Design& design,
                                   std::vector<float> calibration, int count, int epochs,
                                   const FinetuneOptions& options) {
  if (options.recalibrate_every < 1) throw Error("fine-tuning re-calibrates every 1 or more steps");
  for (const int bits : options.progressive_bits) {
    if (bits < 2 || bits > 8) throw Error("progressive bits must be in [2, 8], got " + std::to_string(bits));
  }
  struct State {
    std::vector<float> images;
    eval::ActivationSamples samples;
    std::int64_t steps = 0;
  };
  auto state = std::make_shared<State>();
  state->images = std::move(calibration);
  return [&workload, design, count, epochs, options, state](const eval::VitEngine& engine,
                                                            int epoch) -> std::unique_ptr<eval::Datapath> {
    if (state->steps++ % options.recalibrate_every == 0) {
      state->samples = eval::ActivationSamples::record(engine, state->images, count);
    }
    const auto& stages = options.progressive_bits;
    if (stages.empty())
      return std::make_unique<eval::DesignDatapath>(engine, workload, design, state->samples, options.quant);
    const auto stage = static_cast<std::size_t>(epoch) * stages.size() / static_cast<std::size_t>(epochs);
    return std::make_unique<eval::DesignDatapath>(
        engine, workload, with_bits(design, stages[std::min(stage, stages.size() - 1)]), state->samples, options.quant);
  };
}

DatapathFactory design_in_the_loop(const model::ModelCard& card, const model::Workload& workload,
                                   const model::Design& design, const eval::DatasetSource& source,
                                   std::size_t calibration_images, std::uint64_t seed, int epochs,
                                   const FinetuneOptions& options) {
  const auto calibration = eval::load_calibration_set(source, calibration_images, seed);
  std::vector<std::size_t> all(calibration.size());
  std::iota(all.begin(), all.end(), 0);
  return design_in_the_loop(workload, design, eval::normalised_batch(calibration, card, all),
                            static_cast<int>(calibration.size()), epochs, options);
}

eval::VitWeights finetune_weights(const model::ModelCard& card, const eval::VitWeights& initial,
                                  const model::Workload& workload, const model::Design& design,
                                  const eval::DatasetSource& source, const TrainOptions& options,
                                  std::size_t train_images, const FinetuneOptions& finetune,
                                  std::size_t calibration_images) {
  const auto train_data = eval::load_dataset(
      source, eval::Split::train, train_images > 0 ? std::optional<std::size_t>(train_images) : std::nullopt);
  const auto datapath =
      design_in_the_loop(card, workload, design, source, calibration_images, options.seed, options.epochs, finetune);
  Trainer trainer(card, initial, train_data, options);
  for (int epoch = 0; epoch < options.epochs; ++epoch) trainer.train_epoch(epoch, {}, datapath);
  return trainer.engine().weights();
}

}  // namespace vitdse::train

// vitdse finetune: recover a design's accuracy by training with its arithmetic in the loop.
#include <ostream>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "cli/training_options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/train/finetune.hpp"

namespace vitdse::cli {

namespace {

std::vector<int> parse_bits_list(const std::string& text) {
  std::vector<int> bits;
  if (text.empty()) return bits;
  for (const auto& item : split(text, ',')) bits.push_back(static_cast<int>(parse_int(item, "--progressive")));
  return bits;
}

}  // namespace

int finetune_command(Context& ctx) {
  const train::TrainOptions recipe = train::finetune_defaults();
  const TrainingDefaults defaults{
      recipe.epochs, recipe.lr, recipe.warmup_epochs, recipe.augmentation.pad, recipe.augmentation.flip, "-ft"};
  po::options_description options("options");
  train::TrainingRun run;
  TrainingFlags flags;
  std::string design_path, progressive;
  std::size_t calibration_images = 64;
  add_training_options(options, run, flags, defaults);
  options.add_options()("design", po::value(&design_path)->required(), "design file (YAML) to fine-tune for")(
      "progressive", po::value(&progressive),
      "bits for all weights and activations, stepped down over equal shares of the epochs, e.g. 8,6,4")(
      "calib", po::value(&calibration_images)->default_value(64), "calibration images from the train split");
  po::variables_map vm;
  if (!parse_options(ctx, "finetune", "--design D.yaml [--model M] [--epochs E] [--progressive 8,6,4] [--out W]",
                     options, vm)) {
    return 0;
  }
  if (calibration_images == 0) throw usage_error("--calib must be at least 1");
  resolve_training_run(ctx, "finetune", run, flags, defaults);
  if (run.card.family == model::Family::efficientvit) {
    throw usage_error("model '" + run.card.name +
                      "' is an EfficientViT: fine-tuning it with a design in the loop is not supported yet "
                      "(vitdse train trains it)");
  }
  const model::Workload workload(run.card);
  const model::Design design = model::load_design(design_path, workload);
  train::FinetuneOptions fo;
  fo.progressive_bits = parse_bits_list(progressive);
  const eval::VitWeights initial = eval::load_vit_weights(run.card);
  run.initial = initial;

  const auto source = eval::resolve_dataset(run.card, flags.data.empty() ? std::nullopt : std::optional(flags.data));
  run.datapath = train::design_in_the_loop(run.card, workload, design, source, calibration_images, run.options.seed,
                                           run.options.epochs, fo);
  run.top1 = [&](const eval::VitWeights& weights, std::size_t images) {
    eval::EvalOptions eo;
    eo.images = images;
    eo.calibration_images = calibration_images;
    eo.seed = run.options.seed;
    eo.quant = fo.quant;
    return eval::make_evaluator(run.card, weights, source, eo)->evaluate(design, workload).top1_pct;
  };
  const std::size_t test_size = eval::load_dataset(source, eval::Split::test).size();
  const std::size_t test_images = run.test_images > 0 ? std::min<std::size_t>(run.test_images, test_size) : test_size;
  const double before = run.top1(initial, test_images);
  spdlog::info("{} with design {}: test top-1 {:.2f}% on {} images before fine-tuning", run.card.name, design_path,
               before, test_images);
  const auto quoted = [](const std::string& s) { return nlohmann::json(s).dump(); };
  run.card_fields = {{"finetuned_from", quoted(run.card.weights ? run.card.weights->filename().string() : "")},
                     {"design", quoted(design_path)},
                     {"design_hash", quoted(model::design_hash(design, workload))},
                     {"design_top1_before_pct", fmt::format("{:.2f}", before)}};
  if (!progressive.empty()) run.card_fields.emplace_back("progressive_bits", quoted(progressive));
  const auto result = train::run_training(run);
  ctx.out << fmt::format("{} with design {}: test top-1 {:.2f}% before fine-tuning, {:.2f}% after ({:+.2f} points)\n",
                         run.card.name, design_path, before, result.test_top1_pct, result.test_top1_pct - before)
          << result.summary;
  return 0;
}

}  // namespace vitdse::cli

// The training run: epochs with progress and checkpoints, then test accuracy, weights and card.
#include "vitdse/train/training_run.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <type_traits>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <tbb/info.h>
#include <nlohmann/json.hpp>

#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/progress.hpp"
#include "vitdse/eval/evaluator.hpp"

namespace vitdse::train {

namespace {

/// Top-1 of the float model with `weights` on `images` test images (sampled with seed 0).
template <class Weights>
double test_top1(const model::ModelCard& card, const Weights& weights, const eval::DatasetSource& source,
                 std::size_t images) {
  eval::EvalOptions options;
  options.images = images;
  options.calibration_images = 1;
  return eval::make_evaluator(card, weights, source, options)->float_report().top1_pct;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quoted(const std::string& text) { return nlohmann::json(text).dump(); }

void save_weights(const model::ModelCard& card, const eval::VitWeights& weights, const std::filesystem::path& path,
                  const std::map<std::string, std::string>& metadata) {
  eval::save_vit_weights(card, weights, path, metadata);
}

void save_weights(const model::ModelCard& card, const eval::EfficientVitWeights& weights,
                  const std::filesystem::path& path, const std::map<std::string, std::string>& metadata) {
  eval::save_efficientvit_weights(card, weights, path, metadata);
}

template <class Family>
TrainingResult train_family(const TrainingRun& run, const typename Family::Weights& initial,
                            const typename BasicTrainer<Family>::Factory& datapath) {
  const auto& card = run.card;
  const auto source =
      eval::resolve_dataset(card, run.data.empty() ? std::nullopt : std::optional<std::string>(run.data));
  const auto train_data = eval::load_dataset(
      source, eval::Split::train, run.train_images > 0 ? std::optional<std::size_t>(run.train_images) : std::nullopt);
  const std::size_t test_size = eval::load_dataset(source, eval::Split::test).size();
  const std::size_t test_images = run.test_images > 0 ? std::min(run.test_images, test_size) : test_size;
  const auto top1 = [&](const typename Family::Weights& w, std::size_t images) {
    if constexpr (std::is_same_v<Family, VitTraining>) {
      if (run.top1) return run.top1(w, images);  // fine-tuning scores the design
    }
    return test_top1(card, w, source, images);
  };
  BasicTrainer<Family> trainer(card, initial, train_data, run.options);
  for (const auto& file : {run.out, run.checkpoint}) {
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) throw Error("cannot create the directory of '" + file.string() + "': " + ec.message());
  }
  const auto& o = run.options;
  spdlog::info(
      "training {} ({} parameters) on {} training images of {}: {} epochs of {} steps, batch {}, peak lr {}, "
      "{} threads",
      card.name, initial.parameter_count(), train_data.size(), train_data.source, o.epochs, trainer.steps_per_epoch(),
      o.batch, o.lr, tbb::info::default_concurrency());

  int first_epoch = 0;
  if (run.resume && std::filesystem::exists(run.checkpoint)) {
    first_epoch = trainer.load_checkpoint(run.checkpoint);
    spdlog::info("resuming from {} after epoch {}", run.checkpoint.string(), first_epoch);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = first_epoch; epoch < o.epochs; ++epoch) {
    ProgressBar bar(fmt::format("epoch {}/{}", epoch + 1, o.epochs), trainer.steps_per_epoch());
    const auto report = trainer.train_epoch(
        epoch,
        [&bar](const StepReport& s) {
          bar.update(s.step, fmt::format("loss {:.4f} · top-1 {:.1f}% · {:.0f} img/s · lr {:.2e}", s.loss, s.top1_pct,
                                         s.images_per_s, s.lr));
        },
        datapath);
    bar.finish(
        fmt::format("loss {:.4f} · top-1 {:.1f}% · {:.0f} img/s", report.loss, report.top1_pct, report.images_per_s));
    const std::size_t probe = std::min<std::size_t>(2000, test_images);
    spdlog::info(
        "epoch {}/{}: train loss {:.4f}, train top-1 {:.2f}% (running), test top-1 {:.2f}% on {} images, "
        "{:.0f} images/s, {:.1f} s",
        epoch + 1, o.epochs, report.loss, report.top1_pct, top1(trainer.engine().weights(), probe), probe,
        report.images_per_s, report.seconds);
    trainer.save_checkpoint(run.checkpoint, epoch + 1);
  }
  TrainingResult result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.test_images = test_images;
  result.test_top1_pct = top1(trainer.engine().weights(), test_images);

  result.weights = run.out;
  result.card = std::filesystem::path(run.out).replace_extension(".yaml");
  const std::map<std::string, std::string> metadata{{"format", "pt"},
                                                    {"model", card.name},
                                                    {"command", run.command},
                                                    {"test_top1_pct", fmt::format("{:.2f}", result.test_top1_pct)}};
  save_weights(card, trainer.engine().weights(), result.weights, metadata);
  std::vector<std::pair<std::string, std::string>> fields{
      {"command", quoted(run.command)},
      {"seed", std::to_string(o.seed)},
      {"epochs", std::to_string(o.epochs)},
      {"train_images", std::to_string(train_data.size())},
      {"threads", std::to_string(tbb::info::default_concurrency())},
      {"wall_time_s", fmt::format("{:.0f}", result.seconds)},
      {"test_top1_pct", fmt::format("{:.2f}", result.test_top1_pct)},
      {"test_images", std::to_string(test_images)}};
  fields.insert(fields.end(), run.card_fields.begin(), run.card_fields.end());
  if (first_epoch > 0) fields.emplace_back("resumed_after_epoch", std::to_string(first_epoch));
  const std::string text =
      model::card_text_with_training(read_text(card.source), result.weights.filename().string(), fields);
  write_file_atomically(result.card, text);
  result.summary =
      fmt::format("{}: {} test top-1 {:.2f}% on {} images of {} after {} epochs ({}, {} threads)\nwrote {} and {}\n",
                  card.name, run.top1 ? "design" : "float", result.test_top1_pct, test_images,
                  source.kind + ":" + source.path.string(), o.epochs, format_duration(result.seconds),
                  tbb::info::default_concurrency(), result.weights.string(), result.card.string());
  return result;
}

}  // namespace

TrainingResult run_training(const TrainingRun& run) {
  if (const auto* vit = std::get_if<eval::VitWeights>(&run.initial))
    return train_family<VitTraining>(run, *vit, run.datapath);
  if (run.datapath || run.top1) {
    throw Error("model '" + run.card.name + "': fine-tuning EfficientViTs with a design in the loop is not supported");
  }
  return train_family<EfficientVitTraining>(run, std::get<eval::EfficientVitWeights>(run.initial), {});
}

}  // namespace vitdse::train

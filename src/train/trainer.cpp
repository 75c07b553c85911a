// The training loop, for either family: chunked forward/backward on TBB's threads, an ordered gradient sum, AdamW.
#include "vitdse/train/trainer.hpp"

#include <algorithm>
#include <cmath>

#include <spdlog/fmt/fmt.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/eval/sampling.hpp"
#include "vitdse/model/safetensors.hpp"
#include "vitdse/train/efficientvit_backprop.hpp"
#include "vitdse/train/loss.hpp"
#include "vitdse/train/vit_backprop.hpp"

namespace vitdse::train {

namespace {

/// Tokens per chunk of a batch: enough rows for efficient GEMMs; the chunk count, not the
/// thread count, fixes the order of the gradient sum.
constexpr int kChunkTokens = 800;

const char* const kCheckpointKey = "vitdse_checkpoint";

/// sum += add, tensor by tensor.
template <class Weights>
void accumulate(Weights& sum, Weights& add, const model::ModelCard& card) {
  const auto s = eval::weight_tensors(sum, card);
  const auto a = eval::weight_tensors(add, card);
  for (std::size_t t = 0; t < s.size(); ++t) {
    for (std::size_t i = 0; i < s[t].values.size(); ++i) s[t].values[i] += a[t].values[i];
  }
}

template <class Weights>
void set_zero(Weights& w, const model::ModelCard& card) {
  for (const auto& t : eval::weight_tensors(w, card)) std::fill(t.values.begin(), t.values.end(), 0.0f);
}

/// EfficientViT's images per chunk: each chunk's batch norms see this many images' pixels.
constexpr int kEfficientVitChunkImages = 32;

}  // namespace

eval::VitWeights VitTraining::zero(const model::ModelCard& card) { return eval::zero_vit_weights(card); }

int VitTraining::images_per_chunk(const model::ModelCard& card) { return std::max(1, kChunkTokens / card.tokens()); }

double VitTraining::chunk_gradient(const Model& model, std::span<const float> images, std::span<const int> labels,
                                   double smoothing, double scale, const Datapath* datapath, Weights& grad,
                                   int& correct) {
  eval::ForwardTape tape;
  const auto count = static_cast<int>(labels.size());
  const FloatMatrix logits = model.forward_recorded(images, count, datapath, tape);
  FloatMatrix dlogits;
  const double loss = cross_entropy(logits, labels, smoothing, scale, dlogits, &correct);
  backpropagate(model.card(), model.weights(), tape, dlogits, grad);
  return loss;
}

EfficientVitTraining::Model::Model(const model::ModelCard& card, Weights weights)
    : card_(card), weights_(std::move(weights)) {}

eval::EfficientVitWeights EfficientVitTraining::zero(const model::ModelCard& card) {
  auto w = eval::efficientvit_weights_for(card);
  set_zero(w, card);
  return w;
}

int EfficientVitTraining::images_per_chunk(const model::ModelCard& /*card*/) { return kEfficientVitChunkImages; }

double EfficientVitTraining::chunk_gradient(const Model& model, std::span<const float> images,
                                            std::span<const int> labels, double smoothing, double scale,
                                            const Datapath* datapath, Weights& grad, int& correct) {
  if (datapath != nullptr) {
    throw Error("model '" + model.card().name + "': training EfficientViTs with a design in the loop is not supported");
  }
  EfficientVitTape tape;
  const auto count = static_cast<int>(labels.size());
  const FloatMatrix logits = forward_training(model.card(), model.weights(), images, count, tape);
  FloatMatrix dlogits;
  const double loss = cross_entropy(logits, labels, smoothing, scale, dlogits, &correct);
  backpropagate(model.card(), model.weights(), tape, dlogits, grad);
  add_batch_statistics(tape, scale * count, grad);
  return loss;
}

void EfficientVitTraining::before_step(const model::ModelCard& card, Model& model, Weights& grad) {
  update_running_statistics(card, model.mutable_weights(), grad);
}

template <class Family>
BasicTrainer<Family>::BasicTrainer(const model::ModelCard& card, Weights weights, const eval::Dataset& data,
                                   TrainOptions options)
    : card_(card),
      model_(card, std::move(weights)),
      data_(&data),
      options_(options),
      optimiser_(eval::weight_tensors(model_.mutable_weights(), card), options.adamw) {
  eval::check_dataset_fits(data, card);
  if (options_.batch < 1) throw Error("training batch must be at least 1 image");
  if (options_.epochs < 1) throw Error("training needs at least 1 epoch");
  if (data.size() < static_cast<std::size_t>(options_.batch)) {
    throw Error("the training data (" + data.source + ") holds " + std::to_string(data.size()) +
                " images, fewer than one batch of " + std::to_string(options_.batch));
  }
  if (options_.augmentation.pad < 0 || options_.augmentation.pad >= card.img_size) {
    throw Error("augmentation padding must be in [0, " + std::to_string(card.img_size - 1) + "] pixels");
  }
  for (int c = 0; c < card.in_chans; ++c) {
    fill_.push_back(
        static_cast<float>(-card.mean[static_cast<std::size_t>(c)] / card.std[static_cast<std::size_t>(c)]));
  }
}

template <class Family>
std::int64_t BasicTrainer<Family>::steps_per_epoch() const {
  return static_cast<std::int64_t>(data_->size()) / options_.batch;
}

template <class Family>
double BasicTrainer<Family>::loss_and_gradient(std::span<const std::size_t> indices, Weights& grad,
                                               const Datapath* datapath) const {
  grad = Family::zero(card_);
  const auto images = eval::normalised_batch(*data_, card_, indices);
  std::vector<int> labels;
  for (const auto i : indices) labels.push_back(data_->labels[i]);
  int correct = 0;
  return Family::chunk_gradient(model_, images, labels, options_.label_smoothing,
                                1.0 / static_cast<double>(indices.size()), datapath, grad, correct) /
         static_cast<double>(indices.size());
}

template <class Family>
EpochReport BasicTrainer<Family>::train_epoch(int epoch, const std::function<void(const StepReport&)>& on_step,
                                              const Factory& datapath) {
  const auto n = data_->size();
  const auto order = eval::sample_indices(n, n, mix_key(options_.seed, static_cast<std::uint64_t>(epoch), 0));
  const int batch = options_.batch, per_chunk = Family::images_per_chunk(card_);
  const int chunks = (batch + per_chunk - 1) / per_chunk;
  const std::int64_t steps = steps_per_epoch();
  const auto warmup = static_cast<std::int64_t>(std::llround(options_.warmup_epochs * static_cast<double>(steps)));
  const std::int64_t total = steps * options_.epochs;
  const std::size_t image_size = data_->image_size();

  std::vector<Weights> grads(static_cast<std::size_t>(chunks), Family::zero(card_));
  std::vector<double> chunk_loss(static_cast<std::size_t>(chunks));
  std::vector<int> chunk_correct(static_cast<std::size_t>(chunks));
  std::vector<float> images(static_cast<std::size_t>(batch) * image_size);
  std::vector<int> labels(static_cast<std::size_t>(batch));
  double loss_sum = 0.0;
  std::int64_t correct = 0, seen = 0;
  const auto start = std::chrono::steady_clock::now();
  StepReport report{epoch, 0, steps, 0, 0, 0, 0};
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::span<const std::size_t> indices(order.data() + step * batch, static_cast<std::size_t>(batch));
    eval::normalise_batch(*data_, card_, indices, images);
    for (int i = 0; i < batch; ++i)
      labels[static_cast<std::size_t>(i)] = data_->labels[indices[static_cast<std::size_t>(i)]];
    const std::unique_ptr<Datapath> dp = datapath ? datapath(model_, epoch) : nullptr;
    tbb::parallel_for(0, chunks, [&](int c) {
      const int first = c * per_chunk, count = std::min(per_chunk, batch - first);
      const std::span<float> chunk(images.data() + static_cast<std::size_t>(first) * image_size,
                                   static_cast<std::size_t>(count) * image_size);
      for (int i = 0; i < count; ++i) {
        const auto position = static_cast<std::uint64_t>(step * batch + first + i);
        augment_image(chunk.subspan(static_cast<std::size_t>(i) * image_size, image_size), card_.in_chans,
                      card_.img_size, options_.augmentation, fill_,
                      mix_key(options_.seed, static_cast<std::uint64_t>(epoch), position + 1));
      }
      auto& g = grads[static_cast<std::size_t>(c)];
      set_zero(g, card_);
      int right = 0;
      chunk_loss[static_cast<std::size_t>(c)] = Family::chunk_gradient(
          model_, chunk,
          std::span<const int>(labels).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(count)),
          options_.label_smoothing, 1.0 / batch, dp.get(), g, right);
      chunk_correct[static_cast<std::size_t>(c)] = right;
    });
    for (int c = 1; c < chunks; ++c) accumulate(grads[0], grads[static_cast<std::size_t>(c)], card_);
    const double lr = warmup_cosine(static_cast<std::int64_t>(epoch) * steps + step, warmup, total, options_.lr);
    Family::before_step(card_, model_, grads[0]);
    optimiser_.step(eval::weight_tensors(model_.mutable_weights(), card_), eval::weight_tensors(grads[0], card_), lr);
    for (int c = 0; c < chunks; ++c) {
      loss_sum += chunk_loss[static_cast<std::size_t>(c)];
      correct += chunk_correct[static_cast<std::size_t>(c)];
    }
    seen += batch;
    if (!std::isfinite(loss_sum)) {
      throw Error(fmt::format("training diverged at epoch {}, step {}: the loss is not finite (try a lower --lr)",
                              epoch + 1, step + 1));
    }
    if (on_step) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      report = {epoch,
                step + 1,
                steps,
                loss_sum / static_cast<double>(seen),
                100.0 * static_cast<double>(correct) / static_cast<double>(seen),
                static_cast<double>(seen) / std::max(seconds, 1e-9),
                lr};
      on_step(report);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {epoch, loss_sum / static_cast<double>(seen), 100.0 * static_cast<double>(correct) / static_cast<double>(seen),
          seconds, static_cast<double>(seen) / std::max(seconds, 1e-9)};
}

template <class Family>
std::string BasicTrainer<Family>::options_fingerprint() const {
  const auto& o = options_;
  return fmt::format(
      "model={} epochs={} batch={} lr={} warmup_epochs={} label_smoothing={} pad={} flip={} "
      "weight_decay={} beta1={} beta2={} eps={} seed={} train_images={}",
      card_.name, o.epochs, o.batch, o.lr, o.warmup_epochs, o.label_smoothing, o.augmentation.pad, o.augmentation.flip,
      o.adamw.weight_decay, o.adamw.beta1, o.adamw.beta2, o.adamw.eps, o.seed, data_->size());
}

template <class Family>
void BasicTrainer<Family>::save_checkpoint(const std::filesystem::path& path, int epochs_done) const {
  std::map<std::string, model::Tensor> tensors;
  Weights weights = model_.weights();  // a copy, because weight_tensors hands out writable views
  const auto views = eval::weight_tensors(weights, card_);
  for (std::size_t t = 0; t < views.size(); ++t) {
    const auto& view = views[t];
    tensors[view.name] = model::Tensor{view.shape, std::vector<float>(view.values.begin(), view.values.end())};
    tensors["adamw.m." + view.name] = model::Tensor{view.shape, optimiser_.first_moment()[t]};
    tensors["adamw.v." + view.name] = model::Tensor{view.shape, optimiser_.second_moment()[t]};
  }
  const std::map<std::string, std::string> metadata{{kCheckpointKey, "1"},
                                                    {"epochs_done", std::to_string(epochs_done)},
                                                    {"adamw_steps", std::to_string(optimiser_.steps())},
                                                    {"options", options_fingerprint()}};
  model::write_safetensors(path, tensors, metadata);  // atomic: a killed run keeps its last checkpoint
}

template <class Family>
int BasicTrainer<Family>::load_checkpoint(const std::filesystem::path& path) {
  const model::SafetensorsFile file(path);
  const auto& meta = file.metadata();
  if (meta.count(kCheckpointKey) == 0 || meta.count("epochs_done") == 0 || meta.count("adamw_steps") == 0 ||
      meta.count("options") == 0) {
    throw Error(path.string() + ": not a vitdse training checkpoint (no '" + kCheckpointKey + "' metadata)");
  }
  if (meta.at("options") != options_fingerprint()) {
    throw Error(path.string() + ": written with different training options (" + meta.at("options") +
                "); resume with the same options or start afresh");
  }
  const auto read = [&](const std::string& name, const std::vector<std::int64_t>& shape, std::span<float> into) {
    if (!file.contains(name)) throw Error(path.string() + ": checkpoint lacks tensor '" + name + "'");
    const auto tensor = file.read_f32(name);
    if (tensor.shape != shape) throw Error(path.string() + ": checkpoint tensor '" + name + "' has the wrong shape");
    std::copy(tensor.data.begin(), tensor.data.end(), into.begin());
  };
  const auto views = eval::weight_tensors(model_.mutable_weights(), card_);
  for (std::size_t t = 0; t < views.size(); ++t) {
    read(views[t].name, views[t].shape, views[t].values);
    read("adamw.m." + views[t].name, views[t].shape, optimiser_.first_moment()[t]);
    read("adamw.v." + views[t].name, views[t].shape, optimiser_.second_moment()[t]);
  }
  optimiser_.set_steps(parse_int(meta.at("adamw_steps"), path.string() + ": metadata adamw_steps"));
  return static_cast<int>(parse_int(meta.at("epochs_done"), path.string() + ": metadata epochs_done"));
}

template class BasicTrainer<VitTraining>;
template class BasicTrainer<EfficientVitTraining>;

}  // namespace vitdse::train

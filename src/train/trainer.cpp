// The training loop: chunked forward/backward on TBB's threads, an ordered gradient sum, AdamW.
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
#include "vitdse/train/loss.hpp"
#include "vitdse/train/vit_backprop.hpp"

namespace vitdse::train {

namespace {

/// Tokens per chunk of a batch: enough rows for efficient GEMMs; the chunk count, not the
/// thread count, fixes the order of the gradient sum.
constexpr int kChunkTokens = 800;

const char* const kCheckpointKey = "vitdse_checkpoint";

/// sum += add, tensor by tensor.
void accumulate(eval::VitWeights& sum, eval::VitWeights& add, const model::ModelCard& card) {
  const auto s = eval::weight_tensors(sum, card);
  const auto a = eval::weight_tensors(add, card);
  for (std::size_t t = 0; t < s.size(); ++t) {
    for (std::size_t i = 0; i < s[t].values.size(); ++i) s[t].values[i] += a[t].values[i];
  }
}

void set_zero(eval::VitWeights& w, const model::ModelCard& card) {
  for (const auto& t : eval::weight_tensors(w, card)) std::fill(t.values.begin(), t.values.end(), 0.0f);
}

}  // namespace

Trainer::Trainer(const model::ModelCard& card, eval::VitWeights weights, const eval::Dataset& data,
                 TrainOptions options)
    : card_(card), engine_(card, std::move(weights)), data_(&data), options_(options), optimiser_(card, options.adamw) {
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

std::int64_t Trainer::steps_per_epoch() const { return static_cast<std::int64_t>(data_->size()) / options_.batch; }

double Trainer::chunk_gradient(std::span<const float> images, std::span<const int> labels, double scale,
                               const eval::Datapath* datapath, eval::VitWeights& grad, int& correct) const {
  eval::ForwardTape tape;
  const auto count = static_cast<int>(labels.size());
  const FloatMatrix logits = engine_.forward_recorded(images, count, datapath, tape);
  FloatMatrix dlogits;
  const double loss = cross_entropy(logits, labels, options_.label_smoothing, scale, dlogits, &correct);
  backpropagate(card_, engine_.weights(), tape, dlogits, grad);
  return loss;
}

double Trainer::loss_and_gradient(std::span<const std::size_t> indices, eval::VitWeights& grad,
                                  const eval::Datapath* datapath) const {
  grad = eval::zero_vit_weights(card_);
  const auto images = eval::normalised_batch(*data_, card_, indices);
  std::vector<int> labels;
  for (const auto i : indices) labels.push_back(data_->labels[i]);
  int correct = 0;
  return chunk_gradient(images, labels, 1.0 / static_cast<double>(indices.size()), datapath, grad, correct) /
         static_cast<double>(indices.size());
}

EpochReport Trainer::train_epoch(int epoch, const std::function<void(const StepReport&)>& on_step,
                                 const DatapathFactory& datapath) {
  const auto n = data_->size();
  const auto order = eval::sample_indices(n, n, mix_key(options_.seed, static_cast<std::uint64_t>(epoch), 0));
  const int batch = options_.batch, per_chunk = std::max(1, kChunkTokens / card_.tokens());
  const int chunks = (batch + per_chunk - 1) / per_chunk;
  const std::int64_t steps = steps_per_epoch();
  const auto warmup = static_cast<std::int64_t>(std::llround(options_.warmup_epochs * static_cast<double>(steps)));
  const std::int64_t total = steps * options_.epochs;
  const std::size_t image_size = data_->image_size();

  std::vector<eval::VitWeights> grads(static_cast<std::size_t>(chunks), eval::zero_vit_weights(card_));
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
    const std::unique_ptr<eval::Datapath> dp = datapath ? datapath(engine_, epoch) : nullptr;
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
      chunk_loss[static_cast<std::size_t>(c)] = chunk_gradient(
          chunk, std::span<const int>(labels).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(count)),
          1.0 / batch, dp.get(), g, right);
      chunk_correct[static_cast<std::size_t>(c)] = right;
    });
    for (int c = 1; c < chunks; ++c) accumulate(grads[0], grads[static_cast<std::size_t>(c)], card_);
    const double lr = warmup_cosine(static_cast<std::int64_t>(epoch) * steps + step, warmup, total, options_.lr);
    optimiser_.step(engine_.mutable_weights(), grads[0], lr);
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

std::string Trainer::options_fingerprint() const {
  const auto& o = options_;
  return fmt::format(
      "model={} epochs={} batch={} lr={} warmup_epochs={} label_smoothing={} pad={} flip={} "
      "weight_decay={} beta1={} beta2={} eps={} seed={} train_images={}",
      card_.name, o.epochs, o.batch, o.lr, o.warmup_epochs, o.label_smoothing, o.augmentation.pad, o.augmentation.flip,
      o.adamw.weight_decay, o.adamw.beta1, o.adamw.beta2, o.adamw.eps, o.seed, data_->size());
}

void Trainer::save_checkpoint(const std::filesystem::path& path, int epochs_done) const {
  std::map<std::string, model::Tensor> tensors;
  // Copies, because weight_tensors hands out writable views.
  eval::VitWeights weights = engine_.weights(), m = optimiser_.first_moment(), v = optimiser_.second_moment();
  const std::pair<const char*, eval::VitWeights*> sets[] = {{"", &weights}, {"adamw.m.", &m}, {"adamw.v.", &v}};
  for (const auto& [prefix, set] : sets) {
    for (const auto& t : eval::weight_tensors(*set, card_)) {
      tensors[prefix + t.name] = model::Tensor{t.shape, std::vector<float>(t.values.begin(), t.values.end())};
    }
  }
  const std::map<std::string, std::string> metadata{{kCheckpointKey, "1"},
                                                    {"epochs_done", std::to_string(epochs_done)},
                                                    {"adamw_steps", std::to_string(optimiser_.steps())},
                                                    {"options", options_fingerprint()}};
  model::write_safetensors(path, tensors, metadata);  // atomic: a killed run keeps its last checkpoint
}

int Trainer::load_checkpoint(const std::filesystem::path& path) {
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
  const std::pair<const char*, eval::VitWeights*> sets[] = {{"", &engine_.mutable_weights()},
                                                            {"adamw.m.", &optimiser_.first_moment()},
                                                            {"adamw.v.", &optimiser_.second_moment()}};
  for (const auto& [prefix, set] : sets) {
    for (const auto& t : eval::weight_tensors(*set, card_)) {
      const std::string name = prefix + t.name;
      if (!file.contains(name)) throw Error(path.string() + ": checkpoint lacks tensor '" + name + "'");
      const auto tensor = file.read_f32(name);
      if (tensor.shape != t.shape)
        throw Error(path.string() + ": checkpoint tensor '" + name + "' has the wrong shape");
      std::copy(tensor.data.begin(), tensor.data.end(), t.values.begin());
    }
  }
  optimiser_.set_steps(parse_int(meta.at("adamw_steps"), path.string() + ": metadata adamw_steps"));
  return static_cast<int>(parse_int(meta.at("epochs_done"), path.string() + ": metadata epochs_done"));
}

}  // namespace vitdse::train

// The CPU evaluator: test images, float reference logits, calibration, and per-design scores.
#include "vitdse/eval/cpu_evaluator.hpp"

#include <chrono>
#include <cmath>

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/hash.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/eval/sampling.hpp"

namespace vitdse::eval {

namespace {

int argmax(const FloatMatrix& logits, Eigen::Index row) {
  Eigen::Index best = 0;
  logits.row(row).maxCoeff(&best);
  return static_cast<int>(best);
}

/// log-softmax of one row, in double.
Eigen::RowVectorXd log_softmax(const FloatMatrix& logits, Eigen::Index row) {
  const Eigen::RowVectorXd x = logits.row(row).cast<double>();
  const double m = x.maxCoeff();
  return x.array() - m - std::log((x.array() - m).exp().sum());
}

template <typename T>
std::string_view bytes_of(std::span<const T> values) {
  return {reinterpret_cast<const char*>(values.data()), values.size_bytes()};
}

/// The card's fields that shape the forward pass (the weights are hashed separately).
std::string card_identity(const model::ModelCard& c) {
  std::string s = c.name + ' ' + model::to_string(c.family);
  for (const double v : {double(c.img_size), double(c.patch_size), double(c.in_chans), double(c.num_classes),
                         double(c.embed_dim), double(c.depth), double(c.num_heads), c.mlp_ratio, c.norm_eps}) {
    s += fmt::format(" {}", v);
  }
  s += ' ' + std::string(c.qkv_bias ? "qkv_bias" : "no_qkv_bias") + ' ' + model::to_string(c.act) + ' ' +
       model::to_string(c.attention);
  for (const double v : c.mean) s += fmt::format(" {}", v);
  for (const double v : c.std) s += fmt::format(" {}", v);
  return s;
}

/// Bumped whenever the evaluator's arithmetic changes what a design scores.
constexpr const char* kEvaluatorVersion = "evaluator-2";

}  // namespace

CpuEvaluator::CpuEvaluator(const model::ModelCard& card, VitWeights weights, const DatasetSource& source,
                           const EvalOptions& options, Device device)
    : engine_(card, std::move(weights)), options_(options), device_(device) {
  const Dataset chosen = load_sample(source, Split::test, options.images, options.seed, true);
  check_dataset_fits(chosen, card);
  inputs_ = normalised_batch(chosen, card);
  labels_ = chosen.labels;
  const Dataset calibration = load_calibration_set(source, options.calibration_images, options.seed);
  const auto calibration_inputs = normalised_batch(calibration, card);
  calibration_ = ActivationSamples::record(engine_, calibration_inputs, static_cast<int>(calibration.size()));

  std::string identity = std::string(kEvaluatorVersion) + '\n' + card_identity(card) + '\n';
  VitWeights& w = engine_.mutable_weights();  // viewed, not changed
  for (const auto& t : weight_tensors(w, card)) identity += sha256_hex(bytes_of(std::span<const float>(t.values)));
  identity += sha256_hex(bytes_of(std::span<const float>(inputs_))) +
              sha256_hex(bytes_of(std::span<const int>(labels_))) +
              sha256_hex(bytes_of(std::span<const float>(calibration_inputs)));
  identity += fmt::format("\nquant {} {}", static_cast<int>(options.quant.method), options.quant.percentile);
  fingerprint_ = sha256_hex(identity);
  const auto stage_bytes = labels_.size() * static_cast<std::size_t>(card.tokens()) *
                           static_cast<std::size_t>(card.embed_dim) * sizeof(float);
  prefix_fits_ = options.prefix_reuse && stage_bytes * static_cast<std::size_t>(card.depth + 1) <= kPrefixCacheBytes;
  const auto start = std::chrono::steady_clock::now();
  float_logits_ = engine_.forward(inputs_, static_cast<int>(labels_.size()));
  float_report_ = score(float_logits_);
  float_report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

EvalReport CpuEvaluator::evaluate(const model::Design& design, const model::Workload& workload) const {
  const auto start = std::chrono::steady_clock::now();
  const DesignDatapath datapath(engine_, workload, design, calibration_, options_.quant,
                                device_.kind == Device::Kind::cuda ? device_.index : -1);
  const int batch = static_cast<int>(labels_.size());
  FloatMatrix logits;
  std::unique_lock lock(prefix_.mutex, std::defer_lock);
  if (prefix_fits_ && lock.try_lock()) {
    auto keys = model::stage_keys(design, workload);
    std::size_t resume = 0;
    while (resume < keys.size() && resume < prefix_.keys.size() && keys[resume] == prefix_.keys[resume]) ++resume;
    prefix_.keys.clear();  // invalid until the pass completes
    logits = engine_.forward_resuming(inputs_, batch, datapath, prefix_.states, static_cast<int>(resume));
    prefix_.keys = std::move(keys);
    prefix_.reused += resume;
  } else {
    logits = engine_.forward(inputs_, batch, &datapath);
  }
  EvalReport r = score(logits);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

std::size_t CpuEvaluator::stages_reused() const {
  const std::lock_guard lock(prefix_.mutex);
  return prefix_.reused;
}

EvalReport CpuEvaluator::score(const FloatMatrix& logits) const {
  EvalReport r;
  r.images = labels_.size();
  std::size_t correct = 0, agree = 0;
  double kl = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    const int predicted = argmax(logits, i);
    correct += predicted == labels_[static_cast<std::size_t>(i)] ? 1 : 0;
    agree += predicted == argmax(float_logits_, i) ? 1 : 0;
    const auto p = log_softmax(float_logits_, i), q = log_softmax(logits, i);
    kl += (p.array().exp() * (p - q).array()).sum();
  }
  const double n = static_cast<double>(std::max<std::size_t>(r.images, 1));
  r.top1_pct = 100.0 * static_cast<double>(correct) / n;
  std::tie(r.top1_ci95_low_pct, r.top1_ci95_high_pct) = wilson_interval_pct(correct, r.images);
  r.agreement_pct = 100.0 * static_cast<double>(agree) / n;
  r.kl_mean = kl / n;
  const double noise = (logits - float_logits_).cast<double>().squaredNorm();
  r.logit_mse = noise / (n * static_cast<double>(logits.cols()));
  r.snr_db = 10.0 * std::log10(float_logits_.cast<double>().squaredNorm() / noise);
  return r;
}

}  // namespace vitdse::eval

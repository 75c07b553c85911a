#include "evaluator_common.hpp"

#include <algorithm>
#include <cmath>

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/eval/sampling.hpp"

namespace vitdse::eval::detail {

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

}  // namespace

EvaluationImages load_evaluation_images(const model::ModelCard& card, const DatasetSource& source,
                                        const EvalOptions& options) {
  const Dataset chosen = load_sample(source, Split::test, options.images, options.seed, true);
  check_dataset_fits(chosen, card);
  const Dataset calibration = load_calibration_set(source, options.calibration_images, options.seed);
  return {normalised_batch(chosen, card), chosen.labels, normalised_batch(calibration, card),
          static_cast<int>(calibration.size())};
}

EvalReport score_logits(const FloatMatrix& logits, const FloatMatrix& float_logits, std::span<const int> labels) {
  EvalReport r;
  r.images = labels.size();
  std::size_t correct = 0, agree = 0;
  double kl = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    const int predicted = argmax(logits, i);
    correct += predicted == labels[static_cast<std::size_t>(i)] ? 1 : 0;
    agree += predicted == argmax(float_logits, i) ? 1 : 0;
    const auto p = log_softmax(float_logits, i), q = log_softmax(logits, i);
    kl += (p.array().exp() * (p - q).array()).sum();
  }
  const double n = static_cast<double>(std::max<std::size_t>(r.images, 1));
  r.top1_pct = 100.0 * static_cast<double>(correct) / n;
  std::tie(r.top1_ci95_low_pct, r.top1_ci95_high_pct) = wilson_interval_pct(correct, r.images);
  r.agreement_pct = 100.0 * static_cast<double>(agree) / n;
  r.kl_mean = kl / n;
  const double noise = (logits - float_logits).cast<double>().squaredNorm();
  r.logit_mse = noise / (n * static_cast<double>(logits.cols()));
  r.snr_db = 10.0 * std::log10(float_logits.cast<double>().squaredNorm() / noise);
  return r;
}

EvalReport score_flat_logits(std::span<const float> logits, const FloatMatrix& float_logits,
                             std::span<const int> labels) {
  const auto rows = static_cast<Eigen::Index>(labels.size()), cols = float_logits.cols();
  if (logits.size() != static_cast<std::size_t>(rows * cols)) {
    throw Error(fmt::format("{} logits for {} images of {} classes", logits.size(), rows, cols));
  }
  return score_logits(Eigen::Map<const FloatMatrix>(logits.data(), rows, cols), float_logits, labels);
}

std::string evaluator_fingerprint(const model::ModelCard& card, const std::vector<WeightTensor>& weights,
                                  std::span<const float> inputs, std::span<const int> labels,
                                  std::span<const float> calibration_inputs, const QuantOptions& quant) {
  std::string identity = std::string(kEvaluatorVersion) + '\n' + card_identity(card) + '\n';
  for (const auto& t : weights) identity += sha256_hex(bytes_of(std::span<const float>(t.values)));
  identity += sha256_hex(bytes_of(inputs)) + sha256_hex(bytes_of(labels)) + sha256_hex(bytes_of(calibration_inputs));
  identity += fmt::format("\nquant {} {}", static_cast<int>(quant.method), quant.percentile);
  return sha256_hex(identity);
}

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
  if (c.efficientvit) {  // the stages; ViT cards keep the identity they always had
    const auto& e = *c.efficientvit;
    s += fmt::format(" stem {} {} head_dim {} heads {} {}", e.stem_width, e.stem_depth, e.head_dim, e.head_widths[0],
                     e.head_widths[1]);
    for (const auto& st : e.stages) {
      s += fmt::format(" stage {} {} {} {}", st.width, st.depth, static_cast<int>(st.block), st.expand_ratio);
    }
    for (const int k : e.scales) s += fmt::format(" scale {}", k);
  }
  return s;
}

}  // namespace vitdse::eval::detail

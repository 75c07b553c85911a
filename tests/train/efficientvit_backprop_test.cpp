// EfficientViT training: the training-mode forward pass against the timm-conformant engine, every
// parameter's gradient against central finite differences (so every layer kind's backward pass:
// stem conv, depthwise and grouped convs, batch norm, Hardswish, LiteMLA, LayerNorm, linear), and
// the running statistics against a direct computation.
#include "vitdse/train/efficientvit_backprop.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "vitdse/eval/conv_ops.hpp"
#include "vitdse/eval/efficientvit_engine.hpp"
#include "vitdse/train/loss.hpp"

namespace vitdse::train {
namespace {

/// Every block kind at small odd sizes: 11 px to 6 (stem) to 3 (MBConv stage) to 2 (attention).
model::ModelCard tiny_evit_card() {
  return model::parse_model_card(
      "version: 1\nname: tiny-evit\nfamily: efficientvit\nimg_size: 11\nin_chans: 2\nnum_classes: 3\n"
      "stem: {width: 4, depth: 1}\nstages:\n  - {width: 6, depth: 1, block: mbconv, expand_ratio: 2}\n"
      "  - {width: 8, depth: 1, block: attention, expand_ratio: 2}\nhead_dim: 4\nscales: [3]\n"
      "head_widths: [12, 10]\nmean: [0.5, 0.5]\nstd: [0.25, 0.25]\n",
      "tiny-evit");
}

/// PyTorch-style initial weights with norms far from the identity.
eval::EfficientVitWeights spread_evit_weights(const model::ModelCard& card, std::uint64_t seed) {
  auto w = eval::random_efficientvit_weights(card, seed);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  for (const auto& t : eval::weight_tensors(w, card)) {
    const bool variance = t.name.ends_with("running_var");
    for (auto& v : t.values) v = variance ? 0.5f + std::abs(noise(rng)) : v + noise(rng);
  }
  return w;
}

struct EvitProblem {
  model::ModelCard card = tiny_evit_card();
  std::vector<float> images;
  std::vector<int> labels;
  int count = 16;  // enough pixels per channel that the batch norms are smooth in each weight
};

EvitProblem make_evit_problem() {
  EvitProblem p;
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal;
  p.images.resize(static_cast<std::size_t>(p.count) * 2 * 11 * 11);
  for (auto& v : p.images) v = normal(rng);
  for (int i = 0; i < p.count; ++i) p.labels.push_back(i % 3);
  return p;
}

double evit_loss_of(const EvitProblem& p, const eval::EfficientVitWeights& w) {
  EfficientVitTape tape;
  const FloatMatrix logits = forward_training(p.card, w, p.images, p.count, tape);
  FloatMatrix unused;
  return cross_entropy(logits, p.labels, 0.1, 1.0, unused) / p.count;
}

TEST(EfficientVitBackprop, TrainingForwardIsTheEngineWithEachNormOnItsBatchStatistics) {
  const EvitProblem p = make_evit_problem();
  eval::EfficientVitWeights w = spread_evit_weights(p.card, 3);
  EfficientVitTape tape;
  const FloatMatrix training = forward_training(p.card, w, p.images, p.count, tape);
  // The engine (timm's eval mode, one image at a time) normalises by the running statistics: set
  // them to the batch's, biased variance included, and the two passes are the same function.
  for_each_conv(w, tape, [](eval::ConvLayer& layer, const ConvTape& t) {
    if (!layer.norm) return;
    layer.norm->mean = t.mean;
    layer.norm->var = t.variance;
  });
  const eval::EfficientVitEngine engine(p.card, w);
  const FloatMatrix inference = engine.forward(p.images, p.count);
  ASSERT_EQ(inference.rows(), training.rows());
  EXPECT_LE((inference - training).cwiseAbs().maxCoeff(), 1e-4f);
  EXPECT_GT(training.cwiseAbs().maxCoeff(), 0.1f);  // not a degenerate network
}

TEST(EfficientVitBackprop, EveryParameterMatchesFiniteDifferences) {
  const EvitProblem p = make_evit_problem();
  eval::EfficientVitWeights w = spread_evit_weights(p.card, 3);
  EfficientVitTape tape;
  const FloatMatrix logits = forward_training(p.card, w, p.images, p.count, tape);
  FloatMatrix dlogits;
  cross_entropy(logits, p.labels, 0.1, 1.0 / p.count, dlogits);
  eval::EfficientVitWeights grad = eval::efficientvit_weights_for(p.card);
  for (const auto& t : eval::weight_tensors(grad, p.card)) std::fill(t.values.begin(), t.values.end(), 0.0f);
  backpropagate(p.card, w, tape, dlogits, grad);

  // A small step: ReLU(q) crossing zero makes LiteMLA's output jump (from 0 to a mean of v), and
  // a larger step meets such jumps.
  const double step = 3e-4;
  const auto weights = eval::weight_tensors(w, p.card);
  const auto grads = eval::weight_tensors(grad, p.card);
  int checked = 0;
  for (std::size_t t = 0; t < weights.size(); ++t) {
    const std::string& name = weights[t].name;
    if (name.ends_with("running_mean") || name.ends_with("running_var")) {
      for (const float g : grads[t].values) ASSERT_EQ(g, 0.0f) << name << " is a buffer, not trained";
      continue;
    }
    double diff = 0, norm = 0;
    for (std::size_t i = 0; i < weights[t].values.size(); ++i) {
      const float saved = weights[t].values[i];
      weights[t].values[i] = saved + static_cast<float>(step);
      const double up = evit_loss_of(p, w);
      weights[t].values[i] = saved - static_cast<float>(step);
      const double down = evit_loss_of(p, w);
      weights[t].values[i] = saved;
      const double fd = (up - down) / (2 * step), analytic = grads[t].values[i];
      diff += (fd - analytic) * (fd - analytic);
      norm += analytic * analytic;
    }
    if (name == "stem.res0.main.point_conv.norm.bias" ||
        name == "stages.1.blocks.1.local_module.main.point_conv.norm.bias") {
      // A shift per channel that the next batch norm removes: the true gradient is zero, and the
      // finite differences are float32 noise (a loss near 1 to 1e-7, over 2·step).
      EXPECT_LE(std::sqrt(norm), 1e-5) << name;
      EXPECT_LE(std::sqrt(diff), 1e-3) << name;
      continue;
    }
    ASSERT_GT(norm, 0.0) << name << " gets no gradient";
    EXPECT_LE(std::sqrt(diff / norm), 2e-2) << name;
    ++checked;
  }
  EXPECT_GT(checked, 40);  // every conv, norm, LiteMLA and head tensor
}

TEST(EfficientVitBackprop, RunningStatisticsMoveByPyTorchsMomentumTowardsTheBatchs) {
  const EvitProblem p = make_evit_problem();
  eval::EfficientVitWeights w = spread_evit_weights(p.card, 4);
  // The stem's batch statistics, directly: its convolution (no norm) over every image.
  eval::ConvLayer bare = w.stem;
  bare.norm.reset();
  bare.hswish = false;
  const eval::FoldedConv stem = eval::fold(bare, 0.0);
  const int side = p.card.img_size, pixels = side * side;
  Eigen::MatrixXd outputs(0, stem.out);
  for (int n = 0; n < 4; ++n) {  // the first four images: a batch of two chunks of two
    eval::FeatureMap image{FloatMatrix(pixels, 2), side, side}, out;
    for (int c = 0; c < 2; ++c) {
      for (int q = 0; q < pixels; ++q)
        image.values(q, c) = p.images[static_cast<std::size_t>((n * 2 + c) * pixels + q)];
    }
    eval::conv2d(image, stem, out);
    outputs.conservativeResize(outputs.rows() + out.values.rows(), Eigen::NoChange);
    outputs.bottomRows(out.values.rows()) = out.values.cast<double>();
  }
  // Each chunk of two images contributes its mean and unbiased variance with half the weight.
  const Eigen::Index rows = outputs.rows() / 2;
  Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(stem.out), variance = mean;
  for (int chunk = 0; chunk < 2; ++chunk) {
    const Eigen::MatrixXd part = outputs.middleRows(chunk * rows, rows);
    const Eigen::RowVectorXd m = part.colwise().mean();
    mean += 0.5 * m;
    variance += 0.5 * ((part.rowwise() - m).array().square().colwise().sum() / static_cast<double>(rows - 1)).matrix();
  }

  // Two chunks of two images, each with half the batch's share, as the trainer splits a batch.
  const auto image_floats = static_cast<std::size_t>(2 * pixels);
  auto sums = eval::efficientvit_weights_for(p.card);
  for (const auto& t : eval::weight_tensors(sums, p.card)) std::fill(t.values.begin(), t.values.end(), 0.0f);
  for (int chunk = 0; chunk < 2; ++chunk) {
    EfficientVitTape tape;
    forward_training(p.card, w, std::span<const float>(p.images).subspan(chunk * 2 * image_floats, 2 * image_floats), 2,
                     tape);
    add_batch_statistics(tape, 0.5, sums);
  }
  const eval::BatchNorm before = *w.stem.norm;
  update_running_statistics(p.card, w, sums);
  for (int c = 0; c < stem.out; ++c) {
    EXPECT_NEAR(w.stem.norm->mean(c), 0.9 * before.mean(c) + 0.1 * mean(c), 1e-5) << c;
    EXPECT_NEAR(w.stem.norm->var(c), 0.9 * before.var(c) + 0.1 * variance(c), 1e-4 * variance(c) + 1e-6) << c;
  }
  EXPECT_EQ(sums.stem.norm->mean.cwiseAbs().maxCoeff(), 0.0f);  // the slots are cleared for AdamW
}

}  // namespace
}  // namespace vitdse::train

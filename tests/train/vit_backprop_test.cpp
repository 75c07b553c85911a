// Backpropagation against central finite differences on a tiny model, for every weight tensor
// (so every layer type's backward pass), with GELU and ReLU, and through token and FFN2 pruning.
#include "vitdse/train/vit_backprop.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "vitdse/eval/vit_engine.hpp"
#include "vitdse/train/loss.hpp"

namespace vitdse::train {
namespace {

model::ModelCard tiny_card(const std::string& act, const std::string& attention) {
  return model::parse_model_card(
      "version: 1\nname: tiny\nimg_size: 8\npatch_size: 4\nin_chans: 2\nnum_classes: 3\nembed_dim: 8\n"
      "depth: 2\nnum_heads: 2\nmlp_ratio: 2.0\nact: " +
          act + "\nattention: " + attention + "\nmean: [0.5, 0.5]\nstd: [0.25, 0.25]\n",
      "tiny");
}

/// timm-style random weights plus N(0, 0.3) noise: with 0.02 alone most gradients would be tiny.
eval::VitWeights spread_weights(const model::ModelCard& card, std::uint64_t seed) {
  auto w = eval::random_vit_weights(card, seed);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  for (const auto& t : eval::weight_tensors(w, card)) {
    for (auto& v : t.values) v += noise(rng);
  }
  return w;
}

/// Pruning without quantisation: keeps half the patch tokens after block 0 and skips half of
/// each block's FFN hidden units.
class PruningDatapath final : public eval::Datapath {
 public:
  [[nodiscard]] double token_keep(int block) const override { return block == 0 ? 0.5 : 1.0; }
  [[nodiscard]] double ffn2_prune(int /*block*/) const override { return 0.5; }
};

struct Problem {
  model::ModelCard card;
  std::vector<float> images;
  std::vector<int> labels;
  int count = 5;
};

Problem make_problem(const std::string& act, const std::string& attention) {
  Problem p{tiny_card(act, attention), {}, {}};
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal;
  p.images.resize(static_cast<std::size_t>(p.count) * 2 * 8 * 8);
  for (auto& v : p.images) v = normal(rng);
  for (int i = 0; i < p.count; ++i) p.labels.push_back(i % 3);
  return p;
}

double loss_of(const Problem& p, const eval::VitWeights& w, const eval::Datapath* dp) {
  const eval::VitEngine engine(p.card, w);
  const FloatMatrix logits = engine.forward(p.images, p.count, dp);
  FloatMatrix unused;
  return cross_entropy(logits, p.labels, 0.1, 1.0, unused) / p.count;
}

/// Worst relative error over tensors, ‖fd - analytic‖ / ‖analytic‖, each tensor's entries all checked.
void expect_gradients_match(const std::string& act, const eval::Datapath* dp, double step, double tolerance,
                            const std::string& attention = "softmax") {
  const Problem p = make_problem(act, attention);
  eval::VitWeights w = spread_weights(p.card, 3);
  const eval::VitEngine engine(p.card, w);
  eval::ForwardTape tape;
  const FloatMatrix logits = engine.forward_recorded(p.images, p.count, dp, tape);
  FloatMatrix dlogits;
  cross_entropy(logits, p.labels, 0.1, 1.0 / p.count, dlogits);
  eval::VitWeights grad = eval::zero_vit_weights(p.card);
  backpropagate(p.card, w, tape, dlogits, grad);

  const auto weights = eval::weight_tensors(w, p.card);
  const auto grads = eval::weight_tensors(grad, p.card);
  for (std::size_t t = 0; t < weights.size(); ++t) {
    double diff = 0, norm = 0;
    for (std::size_t i = 0; i < weights[t].values.size(); ++i) {
      const float saved = weights[t].values[i];
      weights[t].values[i] = saved + static_cast<float>(step);
      const double up = loss_of(p, w, dp);
      weights[t].values[i] = saved - static_cast<float>(step);
      const double down = loss_of(p, w, dp);
      weights[t].values[i] = saved;
      const double fd = (up - down) / (2 * step), analytic = grads[t].values[i];
      diff += (fd - analytic) * (fd - analytic);
      norm += analytic * analytic;
    }
    ASSERT_GT(norm, 0.0) << weights[t].name << " gets no gradient";
    EXPECT_LE(std::sqrt(diff / norm), tolerance) << act << " " << weights[t].name;
  }
}

TEST(Backprop, EveryGeluModelTensorMatchesFiniteDifferences) { expect_gradients_match("gelu", nullptr, 2e-3, 1e-2); }

TEST(Backprop, EveryReluModelTensorMatchesFiniteDifferences) { expect_gradients_match("relu", nullptr, 4e-4, 1e-2); }

TEST(Backprop, ReluLinearAttentionModelMatchesFiniteDifferences) {
  expect_gradients_match("relu", nullptr, 4e-4, 1e-2, "linear-relu");
}

TEST(Backprop, GradientsFlowOnlyThroughKeptTokensAndHiddenUnits) {
  const PruningDatapath pruning;
  expect_gradients_match("gelu", &pruning, 1e-3, 1e-2);
}

TEST(Backprop, CrossEntropyGradientIsSoftmaxMinusTheSmoothedTarget) {
  FloatMatrix logits(1, 3);
  logits << 1.0f, 2.0f, 0.5f;
  FloatMatrix d;
  int correct = 0;
  const std::vector<int> label{1};
  const double loss = cross_entropy(logits, label, 0.3, 1.0, d, &correct);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(0.5);
  const double p[] = {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(0.5) / z};
  const double target[] = {0.1, 0.8, 0.1};
  double expected = 0;
  for (int c = 0; c < 3; ++c) {
    expected -= target[c] * std::log(p[c]);
    EXPECT_NEAR(d(0, c), p[c] - target[c], 1e-6);
  }
  EXPECT_NEAR(loss, expected, 1e-6);
  EXPECT_EQ(correct, 1);
}

}  // namespace
}  // namespace vitdse::train

// The trainer: determinism across thread counts, resume equivalence, checkpoint checks, learning
// on a task with a known answer; AdamW, the schedule and augmentation against hand computations.
#include "vitdse/train/trainer.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/efficientvit_engine.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::train {
namespace {

model::ModelCard tiny_card() {
  return model::parse_model_card(
      "version: 1\nname: tiny\nimg_size: 8\npatch_size: 2\nin_chans: 1\nnum_classes: 4\nembed_dim: 16\n"
      "depth: 2\nnum_heads: 2\nmlp_ratio: 2.0\nmean: [0.5]\nstd: [0.25]\n",
      "tiny");
}

/// A task with a known answer that every patch can see: the label is the texture of a noisy
/// image: horizontal stripes, vertical stripes, a checkerboard, or flat.
eval::Dataset texture_task(int images, std::uint64_t seed) {
  eval::Dataset d;
  d.channels = 1;
  d.height = d.width = 8;
  d.num_classes = 4;
  std::mt19937_64 rng(seed);
  for (int i = 0; i < images; ++i) {
    const int label = static_cast<int>(rng() % 4);
    for (int y = 0; y < 8; ++y) {
      for (int x = 0; x < 8; ++x) {
        const bool on = label == 0 ? y % 2 == 0 : label == 1 ? x % 2 == 0 : label == 2 ? (x + y) % 2 == 0 : true;
        const int base = label == 3 ? 100 : on ? 170 : 30;
        d.bytes.push_back(static_cast<std::uint8_t>(base + static_cast<int>(rng() % 64)));
      }
    }
    d.labels.push_back(label);
  }
  d.source = "textures";
  return d;
}

TrainOptions small_options() {
  TrainOptions o;
  o.epochs = 3;
  o.batch = 32;
  o.lr = 3e-3;
  o.warmup_epochs = 0.5;
  o.augmentation.pad = 0;  // on 8x8 images a shifted-in border is a quarter of the pixels
  o.augmentation.flip = false;
  return o;
}

template <class Weights>
std::vector<float> flat(Weights w, const model::ModelCard& card) {
  std::vector<float> out;
  for (const auto& t : eval::weight_tensors(w, card)) out.insert(out.end(), t.values.begin(), t.values.end());
  return out;
}

TEST(Trainer, LearnsATaskWithAKnownAnswer) {
  const auto card = tiny_card();
  const auto data = texture_task(512, 1);
  Trainer trainer(card, eval::random_vit_weights(card, 0), data, small_options());
  const auto first = trainer.train_epoch(0);
  EpochReport last;
  for (int e = 1; e < 3; ++e) last = trainer.train_epoch(e);
  EXPECT_LT(last.loss, first.loss);
  EXPECT_GE(last.top1_pct, 95.0);
  // Held-out images of the same task.
  const auto test = texture_task(200, 2);
  std::vector<std::size_t> all(test.size());
  std::iota(all.begin(), all.end(), 0);
  const Trainer probe(card, trainer.engine().weights(), test, small_options());
  eval::VitWeights grad;
  EXPECT_LT(probe.loss_and_gradient(all, grad), 0.8);  // chance: ln 4 = 1.39; the smoothed optimum: 0.39
}

TEST(Trainer, SameSeedGivesBitIdenticalWeightsOnOneOrTwoThreads) {
  const auto card = tiny_card();
  const auto data = texture_task(128, 3);
  std::vector<std::vector<float>> results;
  for (const std::size_t threads : {1, 2}) {
    const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    auto options = small_options();
    options.augmentation = {2, true};
    Trainer trainer(card, eval::random_vit_weights(card, 5), data, options);
    for (int e = 0; e < 2; ++e) trainer.train_epoch(e);
    results.push_back(flat(trainer.engine().weights(), card));
  }
  EXPECT_EQ(results[0], results[1]);
}

TEST(Trainer, ResumingFromACheckpointGivesTheSameWeightsAsRunningThrough) {
  const auto card = tiny_card();
  const auto data = texture_task(128, 4);
  const test::TempDir dir;
  const auto checkpoint = dir.path() / "run.ckpt";
  auto options = small_options();
  options.augmentation = {2, true};
  Trainer straight(card, eval::random_vit_weights(card, 6), data, options);
  for (int e = 0; e < 3; ++e) straight.train_epoch(e);

  Trainer first(card, eval::random_vit_weights(card, 6), data, options);
  first.train_epoch(0);
  first.save_checkpoint(checkpoint, 1);
  Trainer resumed(card, eval::random_vit_weights(card, 99), data, options);
  ASSERT_EQ(resumed.load_checkpoint(checkpoint), 1);
  for (int e = 1; e < 3; ++e) resumed.train_epoch(e);
  EXPECT_EQ(flat(straight.engine().weights(), card), flat(resumed.engine().weights(), card));
}

TEST(Trainer, CheckpointsOfOtherOptionsAndOtherFilesAreRefusedInOneLine) {
  const auto card = tiny_card();
  const auto data = texture_task(64, 5);
  const test::TempDir dir;
  const auto checkpoint = dir.path() / "run.ckpt";
  Trainer trainer(card, eval::random_vit_weights(card, 0), data, small_options());
  trainer.save_checkpoint(checkpoint, 0);
  auto other = small_options();
  other.lr = 1e-3;
  Trainer different(card, eval::random_vit_weights(card, 0), data, other);
  try {
    different.load_checkpoint(checkpoint);
    FAIL() << "a checkpoint of other options was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different training options"), std::string::npos) << e.what();
  }
  const auto weights_only = dir.path() / "w.safetensors";
  eval::save_vit_weights(card, trainer.engine().weights(), weights_only);
  EXPECT_THROW(different.load_checkpoint(weights_only), Error);
  EXPECT_THROW(different.load_checkpoint(dir.path() / "missing.ckpt"), Error);
}

TEST(Trainer, RefusesDataThatDoesNotFitOrIsSmallerThanABatch) {
  const auto card = tiny_card();
  auto options = small_options();
  options.batch = 100;
  EXPECT_THROW(Trainer(card, eval::random_vit_weights(card, 0), texture_task(50, 1), options), Error);
  auto wrong = texture_task(64, 1);
  wrong.num_classes = 10;
  wrong.labels[0] = 9;
  EXPECT_THROW(Trainer(card, eval::random_vit_weights(card, 0), wrong, small_options()), Error);
}

/// An EfficientViT for the 8x8 textures: 8 to 4 (stem) to 2 (MBConv) to 1 (attention).
model::ModelCard tiny_efficientvit() {
  return model::parse_model_card(
      "version: 1\nname: tiny-evit\nfamily: efficientvit\nimg_size: 8\nin_chans: 1\nnum_classes: 4\n"
      "stem: {width: 8, depth: 1}\nstages:\n  - {width: 16, depth: 1, block: mbconv, expand_ratio: 2}\n"
      "  - {width: 16, depth: 1, block: attention, expand_ratio: 2}\nhead_dim: 8\nscales: [3]\n"
      "head_widths: [24, 24]\nmean: [0.5]\nstd: [0.25]\n",
      "tiny-evit");
}

TEST(EfficientVitTrainer, LearnsATaskWithAKnownAnswer) {
  const auto card = tiny_efficientvit();
  const auto data = texture_task(512, 1);
  auto options = small_options();
  options.epochs = 4;
  EfficientVitTrainer trainer(card, eval::random_efficientvit_weights(card, 0), data, options);
  const auto first = trainer.train_epoch(0);
  EpochReport last;
  for (int e = 1; e < options.epochs; ++e) last = trainer.train_epoch(e);
  EXPECT_LT(last.loss, first.loss);
  EXPECT_GE(last.top1_pct, 90.0);
  // The inference engine, on the running statistics the training kept, on held-out images.
  const auto test = texture_task(200, 2);
  const eval::EfficientVitEngine engine(card, trainer.engine().weights());
  std::vector<std::size_t> all(test.size());
  std::iota(all.begin(), all.end(), 0);
  const FloatMatrix logits = engine.forward(eval::normalised_batch(test, card, all), static_cast<int>(test.size()));
  int right = 0;
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    Eigen::Index top = 0;
    logits.row(i).maxCoeff(&top);
    right += top == test.labels[static_cast<std::size_t>(i)] ? 1 : 0;
  }
  EXPECT_GE(right, 180);  // 90%; chance is 25%
}

TEST(EfficientVitTrainer, SameSeedGivesBitIdenticalWeightsOnOneOrTwoThreadsAndResumesExactly) {
  const auto card = tiny_efficientvit();
  const auto data = texture_task(128, 3);
  auto options = small_options();
  options.batch = 64;  // two chunks of 32, each with its own batch statistics
  options.augmentation = {1, true};
  std::vector<std::vector<float>> results;
  for (const std::size_t threads : {1, 2}) {
    const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    EfficientVitTrainer trainer(card, eval::random_efficientvit_weights(card, 5), data, options);
    for (int e = 0; e < 3; ++e) trainer.train_epoch(e);
    results.push_back(flat(trainer.engine().weights(), card));
  }
  EXPECT_EQ(results[0], results[1]);

  const test::TempDir dir;
  const auto checkpoint = dir.path() / "run.ckpt";
  EfficientVitTrainer first(card, eval::random_efficientvit_weights(card, 5), data, options);
  first.train_epoch(0);
  first.save_checkpoint(checkpoint, 1);
  EfficientVitTrainer resumed(card, eval::random_efficientvit_weights(card, 77), data, options);
  ASSERT_EQ(resumed.load_checkpoint(checkpoint), 1);
  for (int e = 1; e < 3; ++e) resumed.train_epoch(e);
  EXPECT_EQ(flat(resumed.engine().weights(), card), results[0]);  // running statistics included
}

TEST(AdamW, FirstStepMovesEachWeightByTheLearningRateTowardsDescent) {
  // After one step m̂ = g and v̂ = g², so w ← w·(1 - lr·λ) - lr·g/(|g| + eps).
  const auto card = tiny_card();
  auto w = eval::random_vit_weights(card, 1);
  const auto before = w;
  auto g = eval::zero_vit_weights(card);
  std::mt19937 rng(2);
  std::normal_distribution<float> normal;
  for (const auto& t : eval::weight_tensors(g, card)) {
    for (auto& v : t.values) v = normal(rng);
  }
  AdamW adam(eval::weight_tensors(w, card), {0.9, 0.999, 1e-8, 0.1});
  const double lr = 0.01;
  adam.step(eval::weight_tensors(w, card), eval::weight_tensors(g, card), lr);
  auto old = before;
  const auto wt = eval::weight_tensors(w, card), gt = eval::weight_tensors(g, card),
             ot = eval::weight_tensors(old, card);
  for (std::size_t t = 0; t < wt.size(); ++t) {
    const double decay = AdamW::decays(wt[t].name, wt[t].shape.size()) ? 0.1 : 0.0;
    for (std::size_t i = 0; i < wt[t].values.size(); ++i) {
      const double gi = gt[t].values[i];
      const double expected = ot[t].values[i] * (1 - lr * decay) - lr * gi / (std::abs(gi) + 1e-8);
      ASSERT_NEAR(wt[t].values[i], expected, 1e-6) << wt[t].name;
    }
  }
}

TEST(AdamW, DecaysWeightMatricesOnly) {
  EXPECT_TRUE(AdamW::decays("blocks.0.attn.qkv.weight", 2));
  EXPECT_TRUE(AdamW::decays("patch_embed.proj.weight", 4));
  EXPECT_FALSE(AdamW::decays("blocks.0.attn.qkv.bias", 1));
  EXPECT_FALSE(AdamW::decays("blocks.0.norm1.weight", 1));
  EXPECT_FALSE(AdamW::decays("cls_token", 3));
  EXPECT_FALSE(AdamW::decays("pos_embed", 3));
}

TEST(Schedule, WarmsUpLinearlyThenFollowsTheCosineDownToZero) {
  EXPECT_DOUBLE_EQ(warmup_cosine(0, 10, 110, 1.0), 0.1);
  EXPECT_DOUBLE_EQ(warmup_cosine(9, 10, 110, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(warmup_cosine(10, 10, 110, 1.0), 1.0);
  EXPECT_NEAR(warmup_cosine(60, 10, 110, 1.0), 0.5, 1e-12);
  EXPECT_NEAR(warmup_cosine(110, 10, 110, 1.0), 0.0, 1e-12);
  for (int s = 10; s < 110; ++s) EXPECT_GE(warmup_cosine(s, 10, 110, 1.0), warmup_cosine(s + 1, 10, 110, 1.0));
}

TEST(Augment, CropsAreShiftsWithFillAndFlipsAreMirrorsAndAllOccur) {
  constexpr int kSize = 6, kPad = 2;
  std::vector<float> image(kSize * kSize);
  std::iota(image.begin(), image.end(), 1.0f);
  const std::vector<float> fill{-7.0f};
  std::set<std::tuple<int, int, bool>> seen;
  for (std::uint64_t key = 0; key < 2000; ++key) {
    auto out = image;
    augment_image(out, 1, kSize, {kPad, true}, fill, key);
    // Recover the transform by brute force over every shift and mirror; exactly one must fit.
    int fits = 0;
    for (int dy = -kPad; dy <= kPad; ++dy) {
      for (int dx = -kPad; dx <= kPad; ++dx) {
        for (const bool mirror : {false, true}) {
          bool ok = true;
          for (int y = 0; y < kSize && ok; ++y) {
            for (int x = 0; x < kSize && ok; ++x) {
              const int sy = y + dy, sx = (mirror ? kSize - 1 - x : x) + dx;
              const bool inside = sy >= 0 && sy < kSize && sx >= 0 && sx < kSize;
              ok = out[static_cast<std::size_t>(y * kSize + x)] ==
                   (inside ? image[static_cast<std::size_t>(sy * kSize + sx)] : fill[0]);
            }
          }
          if (ok) {
            ++fits;
            seen.insert({dy, dx, mirror});
          }
        }
      }
    }
    ASSERT_EQ(fits, 1) << "key " << key;
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>((2 * kPad + 1) * (2 * kPad + 1) * 2));
  auto same = image;
  augment_image(same, 1, kSize, {0, false}, fill, 123);
  EXPECT_EQ(same, image);
}

}  // namespace
}  // namespace vitdse::train

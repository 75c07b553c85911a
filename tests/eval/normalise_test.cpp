// Normalised batches: known answers per channel, and clear errors when the dataset does not fit the model.
#include "vitdse/eval/normalise.hpp"

#include <gtest/gtest.h>

#include "eval/dataset_files.hpp"

namespace vitdse::eval {

namespace {

/// Three 2-channel 2x2 float images; element k of the whole array is k / 32, labels 0, 1, 2.
Dataset tiny() {
  Dataset d;
  d.channels = 2;
  d.height = 2;
  d.width = 2;
  d.num_classes = 3;
  d.source = "tiny";
  for (int k = 0; k < 3 * 8; ++k) d.floats.push_back(static_cast<float>(k) / 32.0f);
  d.labels = {0, 1, 2};
  return d;
}

model::ModelCard card_for(int chans, int size, int classes) {
  model::ModelCard card;
  card.name = "tiny-model";
  card.in_chans = chans;
  card.img_size = size;
  card.num_classes = classes;
  card.mean.assign(static_cast<std::size_t>(chans), 0.0);
  card.std.assign(static_cast<std::size_t>(chans), 1.0);
  return card;
}

}  // namespace

TEST(NormaliseBatch, SubtractsMeanAndDividesByStdPerChannel) {
  const Dataset d = tiny();
  auto card = card_for(2, 2, 10);
  card.mean = {0.25, 0.5};
  card.std = {0.5, 2.0};
  const std::vector<std::size_t> idx{2, 0};
  const auto batch = normalised_batch(d, card, idx);
  ASSERT_EQ(batch.size(), 16U);
  // Worked by hand: batch image 0 is image 2, whose channel 1 holds elements 20..23.
  EXPECT_EQ(batch[0], (16.0f / 32.0f - 0.25f) / 0.5f);
  EXPECT_EQ(batch[7], (23.0f / 32.0f - 0.5f) / 2.0f);
  EXPECT_EQ(batch[8], (0.0f - 0.25f) / 0.5f);
  EXPECT_EQ(batch[15], (7.0f / 32.0f - 0.5f) / 2.0f);
  for (std::size_t b = 0; b < idx.size(); ++b) {
    for (std::size_t c = 0; c < 2; ++c) {
      for (std::size_t p = 0; p < 4; ++p) {
        const float x = static_cast<float>(idx[b] * 8 + c * 4 + p) / 32.0f;
        const float expected = (x - static_cast<float>(card.mean[c])) / static_cast<float>(card.std[c]);
        EXPECT_EQ(batch[b * 8 + c * 4 + p], expected) << b << " " << c << " " << p;
      }
    }
  }
  std::vector<float> reused(16, -1.0f);
  normalise_batch(d, card, idx, reused);
  EXPECT_EQ(reused, batch);
}

TEST(NormaliseBatch, BytePixelsMatchTheirFloatValues) {
  Dataset d = tiny();
  d.floats.clear();
  for (int k = 0; k < 3 * 8; ++k) d.bytes.push_back(static_cast<std::uint8_t>(k * 11));
  auto card = card_for(2, 2, 10);
  card.mean = {0.485, 0.456};
  card.std = {0.229, 0.224};
  const std::vector<std::size_t> idx{1, 2, 0};
  const auto batch = normalised_batch(d, card, idx);
  Dataset as_floats = d;
  as_floats.floats = d.pixels();
  as_floats.bytes.clear();
  EXPECT_EQ(batch, normalised_batch(as_floats, card, idx));
  // Worked by hand: batch image 0 is image 1; its channel 1, pixel 0 is byte 12 * 11 = 132.
  EXPECT_EQ(batch[4], (132.0f / 255.0f - 0.456f) / 0.224f);
}

TEST(NormaliseBatch, MismatchesAreClearErrors) {
  const Dataset d = tiny();
  const std::vector<std::size_t> idx{0};
  EXPECT_NO_THROW(check_dataset_fits(d, card_for(2, 2, 3)));
  test::expect_error([&] { (void)normalised_batch(d, card_for(3, 2, 10), idx); }, "tiny", "takes 3x2x2");
  test::expect_error([&] { (void)normalised_batch(d, card_for(2, 4, 10), idx); }, "2x2x2 images", "takes 2x4x4");
  test::expect_error([&] { (void)normalised_batch(d, card_for(2, 2, 2), idx); }, "labels up to 2", "has 2 classes");
  const std::vector<std::size_t> bad{3};
  test::expect_error([&] { (void)normalised_batch(d, card_for(2, 2, 10), bad); }, "index 3", "holds 3 images");
  std::vector<float> small(7);
  test::expect_error([&] { normalise_batch(d, card_for(2, 2, 10), idx, small); }, "holds 7 floats",
                     "a batch of 1 needs 8");
}

}  // namespace vitdse::eval

// Loading timm-layout weights: shapes checked against the card, bad files rejected in one line.
#include "vitdse/eval/vit_weights.hpp"

#include <gtest/gtest.h>

#include <set>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/model/safetensors.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::eval {
namespace {

using test::TempDir;
using test::test_data;

model::ModelCard fixture_card() { return model::load_model_card(test_data("vit-28x28-random.yaml")); }

/// The fixture's tensors, to be edited and written back.
std::map<std::string, model::Tensor> fixture_tensors() {
  const model::SafetensorsFile file(test_data("vit-28x28-random.safetensors"));
  std::map<std::string, model::Tensor> tensors;
  for (const auto& name : file.names()) tensors[name] = file.read_f32(name);
  return tensors;
}

std::string load_error(const std::map<std::string, model::Tensor>& tensors) {
  const TempDir dir;
  const auto path = dir.path() / "w.safetensors";
  model::write_safetensors(path, tensors);
  try {
    (void)load_vit_weights(fixture_card(), path);
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    return what;
  }
  return "";
}

TEST(VitWeights, ParameterCountMatchesTheWorkload) {
  const auto card = fixture_card();
  const auto weights = load_vit_weights(card);
  EXPECT_EQ(weights.parameter_count(), model::Workload(card).params());
  EXPECT_EQ(weights.parameter_count(), 205066);  // sum of numel over timm's state dict
}

TEST(VitWeights, TensorViewsCoverEveryParameterOnceWithTimmShapes) {
  const auto card = model::load_model_card(test::test_data("vit-28x28-random.yaml"));
  auto w = random_vit_weights(card, 1);
  std::int64_t total = 0;
  std::set<const float*> starts;
  for (const auto& t : weight_tensors(w, card)) {
    std::int64_t count = 1;
    for (const auto d : t.shape) count *= d;
    EXPECT_EQ(static_cast<std::int64_t>(t.values.size()), count) << t.name;
    EXPECT_TRUE(starts.insert(t.values.data()).second) << t.name;
    total += count;
  }
  EXPECT_EQ(total, w.parameter_count());
  const auto zeros = zero_vit_weights(card);
  EXPECT_EQ(zeros.parameter_count(), w.parameter_count());
  EXPECT_EQ(zeros.blocks[0].norm1.gamma.sum(), 0.0f);
}

TEST(VitWeights, MissingMisshapenAndUnexpectedTensorsAreNamed) {
  auto tensors = fixture_tensors();
  tensors.erase("blocks.2.mlp.fc1.bias");
  EXPECT_NE(load_error(tensors).find("missing tensor 'blocks.2.mlp.fc1.bias'"), std::string::npos);

  tensors = fixture_tensors();
  tensors["head.weight"].shape = {5, 128};
  EXPECT_NE(load_error(tensors).find("'head.weight' has shape [5, 128]; model 'vit-28x28-random' needs [10, 64]"),
            std::string::npos);

  tensors = fixture_tensors();
  tensors["head_dist.weight"] = model::Tensor{{2}, {1, 2}};
  EXPECT_NE(load_error(tensors).find("unexpected tensor 'head_dist.weight'"), std::string::npos);
}

TEST(VitWeights, SaveThenLoadIsBitExact) {
  const auto card = fixture_card();
  const auto weights = random_vit_weights(card, 7);
  const TempDir dir;
  save_vit_weights(card, weights, dir.path() / "w.safetensors", {{"seed", "7"}});
  const auto back = load_vit_weights(card, dir.path() / "w.safetensors");
  EXPECT_EQ(back.pos_embed, weights.pos_embed);
  EXPECT_EQ(back.blocks[3].fc2.weight, weights.blocks[3].fc2.weight);
  EXPECT_EQ(back.blocks[1].norm2.gamma, weights.blocks[1].norm2.gamma);
  EXPECT_EQ(back.head.bias, weights.head.bias);
  EXPECT_EQ(random_vit_weights(card, 7).blocks[0].qkv.weight, weights.blocks[0].qkv.weight);
  EXPECT_NE(random_vit_weights(card, 8).blocks[0].qkv.weight, weights.blocks[0].qkv.weight);
}

TEST(VitWeights, ACardWithoutWeightsOrOfAnotherFamilySaysWhy) {
  auto card = fixture_card();
  card.weights.reset();
  EXPECT_THROW((void)load_vit_weights(card), Error);
  card.weights = "no-such-file.safetensors";
  try {
    (void)load_vit_weights(card);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_THROW(check_runnable(model::load_model_card("efficientvit-b1")), Error);
}

}  // namespace
}  // namespace vitdse::eval

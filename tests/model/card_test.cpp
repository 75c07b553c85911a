// Model cards: the zoo loads, and bad cards fail with one located message.
#include "vitdse/model/card.hpp"

#include <gtest/gtest.h>

#include "vitdse/core/error.hpp"
#include "vitdse/core/resources.hpp"

namespace vitdse::model {

namespace {

const char* kTiny = R"(version: 1
name: tiny
img_size: 28
patch_size: 4
in_chans: 1
num_classes: 10
embed_dim: 32
depth: 2
num_heads: 2
)";

std::string card_error(const std::string& text) {
  try {
    parse_model_card(text, "card.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  return text.replace(pos, from.size(), to);
}

}  // namespace

TEST(ModelCard, ZooLoads) {
  const auto names = available_resources("models");
  for (const char* name :
       {"deit-tiny", "deit-small", "deit-base", "vit-base-16", "vit-large-16", "efficientvit-b1", "vit-fmnist"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
    EXPECT_EQ(load_model_card(name).name, name);
  }
}

TEST(ModelCard, VitFmnistIsSmall) {
  const auto card = load_model_card("vit-fmnist");
  EXPECT_EQ(card.img_size, 28);
  EXPECT_EQ(card.in_chans, 1);
  EXPECT_EQ(card.num_classes, 10);
  EXPECT_EQ(card.tokens(), 50);
}

TEST(ModelCard, DatasetPathIsTakenFromTheCardsFolder) {
  const auto relative =
      parse_model_card(std::string(kTiny) + "dataset: {kind: idx, path: data/fmnist}\n", "zoo/card.yaml");
  EXPECT_EQ(relative.dataset_kind, "idx");
  EXPECT_EQ(relative.dataset_path, std::filesystem::path("zoo/data/fmnist"));
  const auto absolute =
      parse_model_card(std::string(kTiny) + "dataset: {kind: idx, path: /srv/fmnist}\n", "zoo/card.yaml");
  EXPECT_EQ(absolute.dataset_path, std::filesystem::path("/srv/fmnist"));
}

TEST(ModelCard, MinimalCardGetsDefaults) {
  const auto card = parse_model_card(kTiny, "card.yaml");
  EXPECT_EQ(card.family, Family::vit);
  EXPECT_EQ(card.act, Activation::gelu);
  EXPECT_EQ(card.mean, std::vector<double>{0.0});
  EXPECT_EQ(card.head_dim(), 16);
}

// A hand-made model_card fuzz input: 65536 patches per side overflowed the token count (UBSan).
TEST(ModelCard, TooManyPatchesIsAnError) {
  const auto msg =
      card_error(replace(replace(kTiny, "img_size: 28", "img_size: 65536"), "patch_size: 4", "patch_size: 1"));
  EXPECT_NE(msg.find("card.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("65536 patches per side"), std::string::npos) << msg;
  EXPECT_EQ(card_error(replace(replace(kTiny, "img_size: 28", "img_size: 4096"), "patch_size: 4", "patch_size: 1")),
            "");
}

TEST(ModelCard, BadInputIsLocated) {
  EXPECT_NE(card_error(replace(kTiny, "depth: 2", "depth: 0")).find("card.yaml:8: 'depth' = 0 is out of range"),
            std::string::npos);
  EXPECT_NE(card_error(replace(kTiny, "embed_dim: 32", "embed_dim: -32")).find("'embed_dim' = -32 is out of range"),
            std::string::npos);
  EXPECT_NE(card_error(replace(kTiny, "num_heads: 2", "num_heads: 2\nnum_head: 3")).find("did you mean 'num_heads'?"),
            std::string::npos);
  EXPECT_NE(card_error(replace(kTiny, "patch_size: 4", "patch_size: 5")).find("not divisible by patch_size"),
            std::string::npos);
  EXPECT_NE(card_error(replace(kTiny, "num_heads: 2", "num_heads: 3")).find("not divisible by num_heads"),
            std::string::npos);
  EXPECT_NE(card_error(replace(kTiny, "depth: 2", "depth: [2")).find("card.yaml:"), std::string::npos);
  EXPECT_NE(card_error(std::string(kTiny) + "act: swish\n").find("'act' = 'swish' is not one of"), std::string::npos);
  EXPECT_NE(card_error(std::string(kTiny) + "mean: [0.1, 0.2]\n").find("one per input channel"), std::string::npos);
  EXPECT_NE(card_error(std::string(kTiny) + "std: [0]\n").find("positive"), std::string::npos);
  EXPECT_NE(card_error(replace(kTiny, "version: 1", "version: 2")).find("'version' = 2"), std::string::npos);
  EXPECT_NE(card_error("").find("empty"), std::string::npos);
}

TEST(ModelCard, BadEfficientVitShapesNameTheField) {
  const std::string evit =
      "version: 1\nname: e\nfamily: efficientvit\nimg_size: 28\nin_chans: 1\nnum_classes: 10\n"
      "stem: {width: 8, depth: 1}\nstages:\n  - {width: 16, depth: 1, block: mbconv}\n"
      "  - {width: 24, depth: 1, block: attention}\nhead_dim: 8\nhead_widths: [32, 40]\n";
  EXPECT_EQ(card_error(evit), "");
  // Widths that do not divide into heads.
  EXPECT_NE(card_error(replace(evit, "head_dim: 8", "head_dim: 16"))
                .find("card.yaml:9: attention stage width 24 is not a multiple of head_dim 16"),
            std::string::npos);
  // A stage list of the wrong length (none), or not a list.
  const std::string stages =
      "stages:\n  - {width: 16, depth: 1, block: mbconv}\n  - {width: 24, depth: 1, block: attention}\n";
  EXPECT_NE(card_error(replace(evit, stages, "stages: []\n")).find("'stages' must be a non-empty list"),
            std::string::npos);
  EXPECT_NE(card_error(replace(evit, stages, "stages: 3\n")).find("'stages' must be a non-empty list"),
            std::string::npos);
  // The head's widths, a kernel size and a stage field.
  EXPECT_NE(card_error(replace(evit, "head_widths: [32, 40]", "head_widths: [32]")).find("'head_widths' must be two"),
            std::string::npos);
  EXPECT_NE(card_error(evit + "scales: [4]\n").find("'scales' entries must be odd"), std::string::npos);
  EXPECT_NE(card_error(replace(evit, "block: mbconv", "block: transformer")).find("'block'"), std::string::npos);
}

TEST(ModelCard, UnknownNameListsTheZoo) {
  try {
    load_model_card("deit-smal");
    FAIL();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("unknown model 'deit-smal' (did you mean 'deit-small'?)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("available: deit-base, deit-small"), std::string::npos) << msg;
  }
}

}  // namespace vitdse::model

// vitdse train end to end: the --fast check on Fashion-MNIST, the card it writes, resuming, errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "test_util.hpp"
#include "vitdse/eval/vit_weights.hpp"
#include "vitdse/model/safetensors.hpp"
#include "vitdse/train/finetune.hpp"

namespace vitdse::test {
namespace {

double reported_top1(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(test top-1 ([0-9.]+)%)"))) return -1;
  return std::stod(m[1]);
}

TEST(TrainCommand, FastRunBeatsChanceWidelyAndWritesWeightsWithTheirCard) {
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const TempDir dir;
  const auto out = (dir.path() / "fast.safetensors").string();
  std::vector<std::string> args{"--quiet", "train",       "--model", test_data("vit-28x28-random.yaml"),
                                "--data",  kFashionMnist, "--fast",  "--out",
                                out};
  if (kSanitized) args.insert(args.end(), {"--train-images", "256", "--test-images", "64"});
  const auto r = run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  const double top1 = reported_top1(r.out);
  if (!kSanitized) {
    EXPECT_GE(top1, 35.0) << r.out;  // chance is 10%
  }

  // The card names the weights and records the run; both load.
  const auto card = model::load_model_card((dir.path() / "fast.yaml").string());
  ASSERT_TRUE(card.weights.has_value());
  EXPECT_EQ(card.weights->filename(), "fast.safetensors");
  EXPECT_NO_THROW(eval::load_vit_weights(card));
  EXPECT_EQ(model::SafetensorsFile(out).metadata().at("model"), "vit-28x28-random");

  // Resuming a finished run trains nothing more and reproduces the same accuracy.
  args.emplace_back("--resume");
  const auto again = run_cli(args);
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_DOUBLE_EQ(reported_top1(again.out), top1);
}

TEST(FinetuneCommand, FastRunWritesWeightsAndACardRecordingTheDesign) {
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const TempDir dir;
  const auto design = dir.write("d.yaml", "version: 1\ndefaults: {mult: \"trunc:8s:t=6\", wbits: 6, abits: 6}\n");
  const auto out = (dir.path() / "ft.safetensors").string();
  const auto r = run_cli({"--quiet", "finetune", "--model", test_data("vit-28x28-random.yaml"), "--data", kFashionMnist,
                          "--design", design, "--fast", "--train-images", kSanitized ? "64" : "600", "--test-images",
                          kSanitized ? "32" : "1000", "--progressive", "8,6", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("before fine-tuning"), std::string::npos) << r.out;
  const auto card = model::load_model_card((dir.path() / "ft.yaml").string());
  ASSERT_TRUE(card.weights.has_value());
  const auto tuned = eval::load_vit_weights(card);
  const auto original = eval::load_vit_weights(model::load_model_card(test_data("vit-28x28-random.yaml")));
  EXPECT_NE(tuned.head.weight, original.head.weight);
  std::ifstream text(dir.path() / "ft.yaml");
  const std::string yaml((std::istreambuf_iterator<char>(text)), std::istreambuf_iterator<char>());
  EXPECT_NE(yaml.find("design_hash:"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("progressive_bits: \"8,6\""), std::string::npos) << yaml;

  // The quiet library loop the reproductions use gives the command's weights, bit for bit.
  const auto source_card = model::load_model_card(test_data("vit-28x28-random.yaml"));
  const model::Workload workload(source_card);
  train::TrainOptions o = train::finetune_defaults();  // under --fast: batch 32
  o.batch = 32;
  train::FinetuneOptions fo;
  fo.progressive_bits = {8, 6};
  const auto quiet = train::finetune_weights(source_card, original, workload, model::load_design(design, workload),
                                             eval::resolve_dataset(source_card, std::string(kFashionMnist)), o,
                                             kSanitized ? 64 : 600, fo);
  EXPECT_EQ(quiet.head.weight, tuned.head.weight);
  EXPECT_EQ(quiet.blocks.front().fc1.weight, tuned.blocks.front().fc1.weight);
}

TEST(TrainCommand, BadOptionsAreOneLineErrors) {
  const TempDir dir;
  const auto design = dir.write("d.yaml", "version: 1\ndefaults: {mult: \"exact:8s\"}\n");
  const auto out = (dir.path() / "w.safetensors").string();
  const std::vector<std::vector<std::string>> cases{
      {"train", "--epochs", "0", "--out", out},
      {"train", "--batch", "0", "--out", out},
      {"train", "--pad", "40", "--out", out},
      {"train", "--data", (dir.path() / "nowhere").string(), "--out", out},
      {"train", "--model", "no-such-model", "--out", out},
      {"finetune", "--model", test_data("vit-28x28-random.yaml"), "--out", out},
      {"finetune", "--model", test_data("vit-28x28-random.yaml"), "--design", "missing.yaml", "--out", out},
      {"finetune", "--model", test_data("vit-28x28-random.yaml"), "--design", design, "--progressive", "8,x", "--out",
       out},
      {"finetune", "--model", test_data("vit-28x28-random.yaml"), "--design", design, "--progressive", "12", "--out",
       out},
  };
  for (const auto& args : cases) {
    const auto r = run_cli(args);
    EXPECT_NE(r.code, 0) << args[1];
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace
}  // namespace vitdse::test

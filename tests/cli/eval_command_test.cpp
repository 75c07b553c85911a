// vitdse eval end to end on Fashion-MNIST (Debian's dataset-fashion-mnist), and its errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_util.hpp"
#include "vitdse/eval/evaluator.hpp"

namespace vitdse::test {
namespace {

TEST(EvalCommand, ReportsAccuracyAgainstLabelsAndTheFloatModel) {
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const TempDir dir;
  const auto design = dir.write("d.yaml", "version: 1\ndefaults: {mult: \"drum:8s:k=4\", wbits: 6, abits: 6}\n");
  const auto r = run_cli({"eval", "--model", test_data("vit-28x28-random.yaml"), "--data", kFashionMnist, "--images",
                          "40", "--calib", "8", "--design", design, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images"], 40);
  EXPECT_GE(j["top1_pct"].get<double>(), j["top1_ci95_low_pct"].get<double>());
  EXPECT_LE(j["top1_pct"].get<double>(), j["top1_ci95_high_pct"].get<double>());
  EXPECT_GT(j["kl_mean_nats"].get<double>(), 0.0);
  EXPECT_LE(j["agreement_pct"].get<double>(), 100.0);
}

TEST(EvalCommand, BadInputsAreOneLineErrors) {
  const auto card = test_data("vit-28x28-random.yaml");
  const TempDir dir;
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"eval", "--model", card, "--data", (dir.path() / "nowhere").string()},
                                             {"eval", "--model", "deit-tiny", "--images", "10"},  // no weights
                                             {"eval", "--model", "efficientvit-b1"}}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, 1) << args[2];
    EXPECT_TRUE(one_line(r.err)) << r.err;
  }
  EXPECT_EQ(run_cli({"eval", "--model", card, "--images", "0"}).code, 2);
  const auto gpu = run_cli({"eval", "--model", card, "--device", "cuda:63"});  // no machine has 64 GPUs
  EXPECT_EQ(gpu.code, 2);
  EXPECT_TRUE(one_line(gpu.err)) << gpu.err;
  EXPECT_NE(gpu.err.find("--device cuda:63: "), std::string::npos) << gpu.err;
  EXPECT_EQ(run_cli({"eval", "--model", card, "--calib-method", "median"}).code, 2);
}

TEST(EvalCommand, ShippedModelsAreTrainedAndEightBitDesignsKeepTheirAccuracy) {
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  // The cards record 90.76-90.85% on all 10k test images; a sample of them, with the built-in
  // W8A8 design, must stay well above 85% (fewer images, and a wider margin, under the
  // sanitizers, which run the portable kernels about 20x slower).
  const char* const images = kSanitized ? "200" : "1000";
  const double floor_pct = kSanitized ? 78.0 : 85.0;
  for (const char* model : {"vit-fmnist", "vit-fmnist-relu", "vit-fmnist-linear"}) {
    const auto r = run_cli({"eval", "--model", model, "--images", images, "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_GE(j["float_top1_pct"].get<double>(), floor_pct + 2.0) << model;
    EXPECT_GE(j["top1_pct"].get<double>(), floor_pct) << model;
  }
}

TEST(Wilson, IntervalMatchesTheClosedForm) {
  // 90 of 100: centre 0.8846, half-width 0.0590 (Wilson 1927, z = 1.96).
  const auto [low, high] = eval::wilson_interval_pct(90, 100);
  EXPECT_NEAR(low, 82.56, 0.01);
  EXPECT_NEAR(high, 94.48, 0.01);
  const auto [zero_low, zero_high] = eval::wilson_interval_pct(0, 10);
  EXPECT_DOUBLE_EQ(zero_low, 0.0);
  EXPECT_NEAR(zero_high, 27.75, 0.01);
}

}  // namespace
}  // namespace vitdse::test

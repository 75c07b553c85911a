// vitdse infer end to end: timm's logits back from the command, one-line errors on bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "eval/synthetic_weights.hpp"
#include "test_util.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::test {
namespace {

TEST(InferCommand, WritesTimmsLogits) {
  const TempDir dir;
  const auto out = (dir.path() / "y.safetensors").string();
  const auto r = run_cli({"infer", "--model", test_data("vit-28x28-random.yaml"), "--inputs",
                          test_data("vit-28x28-random.io.safetensors"), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("logits [8, 10]"), std::string::npos) << r.out;
  const auto logits = model::SafetensorsFile(out).read_f32("logits");
  const auto expected = model::SafetensorsFile(test_data("vit-28x28-random.io.safetensors")).read_f32("logits");
  ASSERT_EQ(logits.shape, expected.shape);
  for (std::size_t i = 0; i < logits.data.size(); ++i) EXPECT_NEAR(logits.data[i], expected.data[i], 1e-4) << i;
}

/// Mean |a - b| over two logit tensors of the same shape.
double mean_abs_difference(const model::Tensor& a, const model::Tensor& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.data.size(); ++i) sum += std::abs(a.data[i] - b.data[i]);
  return sum / static_cast<double>(a.data.size());
}

// An EfficientViT card runs its own engine: timm's logits for the fixture's synthetic weights.
TEST(InferCommand, RunsEfficientVitAsTimmDoes) {
  const TempDir dir;
  const auto io = test_data("efficientvit-32x32-random.io.safetensors");
  // The card names efficientvit-32x32-random.safetensors beside it.
  test::write_synthetic_weights(dir.path() / "efficientvit-32x32-random.safetensors", test::fixture_keys(io));
  const auto card = dir.write("evit.yaml", read_file(test_data("efficientvit-32x32-random.yaml")));
  const auto out = (dir.path() / "y.safetensors").string();
  auto r = run_cli({"infer", "--model", card, "--inputs", io, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("logits [2, 10] of model efficientvit-32x32-random"), std::string::npos) << r.out;
  const auto logits = model::SafetensorsFile(out).read_f32("logits");
  const auto expected = model::SafetensorsFile(io).read_f32("logits");
  ASSERT_EQ(logits.shape, expected.shape);
  for (std::size_t i = 0; i < logits.data.size(); ++i) EXPECT_NEAR(logits.data[i], expected.data[i], 1e-4) << i;
}

// A design on EfficientViT: every convolution and product on its codes, calibrated on the card's dataset.
TEST(InferCommand, RunsADesignOnEfficientVit) {
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const TempDir dir;
  const std::string name = "efficientvit-28x28-random";
  const auto io = test_data(name + ".io.safetensors");
  test::write_synthetic_weights(dir.path() / (name + ".safetensors"), test::fixture_keys(io));
  const auto card = dir.write("evit.yaml", read_file(test_data(name + ".yaml")));
  const auto expected = model::SafetensorsFile(io).read_f32("logits");
  auto logits_of = [&](const std::string& design_yaml, const std::string& tag) {
    const auto out = (dir.path() / (tag + ".safetensors")).string();
    const auto r = run_cli({"infer", "--model", card, "--inputs", io, "--out", out, "--design",
                            dir.write(tag + ".yaml", design_yaml), "--calib", "16"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("of model " + name + " with design "), std::string::npos) << r.out;
    return model::SafetensorsFile(out).read_f32("logits");
  };
  const auto w8 = logits_of("version: 1\ndefaults: {}\n", "w8a8");
  const auto w3 = logits_of("version: 1\ndefaults: {wbits: 3, abits: 3}\n", "w3a3");
  ASSERT_EQ(w8.shape, expected.shape);
  const double near = mean_abs_difference(w8, expected), far = mean_abs_difference(w3, expected);
  EXPECT_GT(near, 0.0);  // quantised, not the float model
  EXPECT_LT(near, far);
}

// Image files and folders are preprocessed by the card's transform; each row names its file.
TEST(InferCommand, TakesImageFilesAndFolders) {
  const TempDir dir;
  const auto card = test_data("vit-28x28-random.yaml");
  const auto all = (dir.path() / "all.safetensors").string(), one = (dir.path() / "one.safetensors").string();
  auto r = run_cli({"infer", "--model", card, "--inputs", test_data("imagefolder"), "--out", all});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("logits [10, 10]"), std::string::npos) << r.out;
  const model::SafetensorsFile file(all);
  const auto names = nlohmann::json::parse(file.metadata().at("inputs")).get<std::vector<std::string>>();
  ASSERT_EQ(names.size(), 10U);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  // A list of two files: the same rows as in the folder's run.
  const std::string third = names[3];
  r = run_cli({"infer", "--model", card, "--inputs", names[0], third, "--out", one});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto rows = model::SafetensorsFile(one).read_f32("logits"), every = file.read_f32("logits");
  ASSERT_EQ(rows.data.size(), 20U);
  for (std::size_t j = 0; j < 10; ++j) {  // float GEMMs of other batch sizes round differently
    EXPECT_NEAR(rows.data[j], every.data[j], 1e-5);
    EXPECT_NEAR(rows.data[10 + j], every.data[30 + j], 1e-5);
  }
  const auto bad = dir.write("bad.png", "not a png");
  r = run_cli({"infer", "--model", card, "--inputs", bad, "--out", one});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
}

// The whole path from image files to logits against timm's (tests/data/make_imagefolder_timm_logits.py:
// PIL decoding, timm's evaluation transform, the timm model): the same order, logits within 1e-4
// and so the same top-1 on every image, where the margins of this random-weight model between its
// first and second class go down to 8e-4.
TEST(InferCommand, ImageFolderLogitsAndTop1AgreeWithTimm) {
  const TempDir dir;
  const auto out = (dir.path() / "y.safetensors").string();
  const auto r = run_cli(
      {"infer", "--model", test_data("vit-28x28-random.yaml"), "--inputs", test_data("imagefolder"), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  const model::SafetensorsFile ours(out), timm(test_data("imagefolder.vit-28x28-random.logits.safetensors"));
  const auto names = nlohmann::json::parse(ours.metadata().at("inputs")).get<std::vector<std::string>>();
  const auto timm_names = nlohmann::json::parse(timm.metadata().at("inputs")).get<std::vector<std::string>>();
  ASSERT_EQ(names.size(), timm_names.size());
  const std::string folder = test_data("imagefolder") + "/";
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], folder + timm_names[i]);
  const auto logits = ours.read_f32("logits"), expected = timm.read_f32("logits");
  ASSERT_EQ(logits.shape, expected.shape);
  const auto images = static_cast<std::size_t>(logits.shape[0]), classes = static_cast<std::size_t>(logits.shape[1]);
  for (std::size_t i = 0; i < logits.data.size(); ++i) EXPECT_NEAR(logits.data[i], expected.data[i], 1e-4) << i;
  for (std::size_t n = 0; n < images; ++n) {
    const auto row = [&](const model::Tensor& t) { return t.data.begin() + static_cast<std::ptrdiff_t>(n * classes); };
    EXPECT_EQ(std::max_element(row(logits), row(logits) + static_cast<std::ptrdiff_t>(classes)) - row(logits),
              std::max_element(row(expected), row(expected) + static_cast<std::ptrdiff_t>(classes)) - row(expected))
        << timm_names[n];
  }
}

// A design's arithmetic moves the logits away from timm's float ones, and the coarser the
// arithmetic, the further: W8A8 stays close, W2A2 does not.
TEST(InferCommand, ADesignRunsItsArithmetic) {
  if (!std::filesystem::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const TempDir dir;
  const auto card = test_data("vit-28x28-random.yaml");
  const auto io = test_data("vit-28x28-random.io.safetensors");
  const auto expected = model::SafetensorsFile(io).read_f32("logits");
  auto logits_of = [&](const std::string& design_yaml, const std::string& name) {
    const auto out = (dir.path() / (name + ".safetensors")).string();
    const auto r = run_cli({"infer", "--model", card, "--inputs", io, "--out", out, "--design",
                            dir.write(name + ".yaml", design_yaml), "--calib", "16"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("with design "), std::string::npos) << r.out;
    return model::SafetensorsFile(out).read_f32("logits");
  };
  const auto w8 = logits_of("version: 1\ndefaults: {}\n", "w8a8");
  const auto w2 = logits_of("version: 1\ndefaults: {wbits: 2, abits: 2}\n", "w2a2");
  ASSERT_EQ(w8.shape, expected.shape);
  const double near = mean_abs_difference(w8, expected), far = mean_abs_difference(w2, expected);
  EXPECT_GT(near, 0.0);  // quantised, not the float model
  EXPECT_LT(near, 0.1 * far) << near << " against " << far;
  // Calibration options without a design are a usage error.
  EXPECT_EQ(
      run_cli({"infer", "--model", card, "--inputs", io, "--out", (dir.path() / "x").string(), "--calib", "8"}).code,
      2);
}

TEST(InferCommand, BadInputsAreOneLineErrors) {
  const TempDir dir;
  const auto out = (dir.path() / "y.safetensors").string();
  const auto card = test_data("vit-28x28-random.yaml");
  const auto io = test_data("vit-28x28-random.io.safetensors");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"infer", "--model", card, "--inputs", io, "--key", "images", "--out", out},  // no such tensor
           {"infer", "--model", card, "--inputs", io, "--key", "logits", "--out", out},  // wrong shape
           {"infer", "--model", card, "--inputs", dir.write("bad.safetensors", "not a file"), "--out", out},
           {"infer", "--model", card, "--inputs", (dir.path() / "missing.safetensors").string(), "--out", out},
           {"infer", "--model", "no-such-model", "--inputs", io, "--out", out}}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, 1) << args[5];
    EXPECT_TRUE(one_line(r.err)) << r.err;
  }
  EXPECT_EQ(run_cli({"infer", "--model", card, "--out", out}).code, 2);  // --inputs is required
}

}  // namespace
}  // namespace vitdse::test

// vitdse infer end to end: timm's logits back from the command, one-line errors on bad input.
#include <gtest/gtest.h>

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

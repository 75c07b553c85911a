// Layer sensitivity: one row per GEMM layer, ranked, and no change when the unit is the base's.
#include "vitdse/eval/sensitivity.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/cpu_evaluator.hpp"

namespace vitdse::eval {
namespace {

class Sensitivity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "no dataset-fashion-mnist";
  }
};

TEST_F(Sensitivity, OneRankedRowPerGemmLayerAndTheBaseUnitChangesNothing) {
  const auto card = model::load_model_card(test::test_data("vit-28x28-random.yaml"));
  const model::Workload workload(card);
  EvalOptions options;
  options.images = 30;
  options.calibration_images = 8;
  const CpuEvaluator evaluator(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  const auto base = model::default_design(workload);
  const auto base_report = evaluator.evaluate(base, workload);

  const auto same = layer_sensitivity(evaluator, workload, base, "exact:8s");
  ASSERT_EQ(same.size(), 2u + 6u * 4u);  // patch_embed, head, and qkv/qk/av/proj/fc1/fc2 per block
  for (const auto& s : same) {
    EXPECT_EQ(s.report.top1_pct, base_report.top1_pct) << s.layer;
    EXPECT_EQ(s.report.logit_mse, base_report.logit_mse) << s.layer;
  }

  const auto coarse = layer_sensitivity(evaluator, workload, base, "trunc:8s:t=10");
  double most_moved = 0;
  for (std::size_t i = 0; i < coarse.size(); ++i) {
    if (i > 0) {
      EXPECT_LE(coarse[i - 1].report.top1_pct, coarse[i].report.top1_pct);
    }
    most_moved = std::max(most_moved, coarse[i].report.logit_mse);
  }
  // One coarse layer may land closer to float by chance; some layer must move away.
  EXPECT_GT(most_moved, base_report.logit_mse);
  EXPECT_THROW((void)layer_sensitivity(evaluator, workload, base, "drum:6s:k=3"), Error);  // narrower than W8A8
}

}  // namespace
}  // namespace vitdse::eval

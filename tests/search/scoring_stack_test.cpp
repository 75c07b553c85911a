// A scoring setup survives its text form exactly, and a stack built from that text scores in the
// same context as the original: what another rank of a job relies on.
#include "vitdse/search/scoring_stack.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "small_dataset.hpp"
#include "test_util.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::search {
namespace {

TEST(ScoringSetup, TextRoundTripsEveryField) {
  ScoringSetup s;
  s.model = "models/my card.yaml";
  s.arch = "lowpower-vit-28nm";
  s.dataset = "idx:/data/fashion mnist";
  s.eval.images = 123;
  s.eval.calibration_images = 17;
  s.eval.seed = 18446744073709551615ULL;
  s.eval.quant.method = arith::CalibrationMethod::percentile;
  s.eval.quant.percentile = 99.123456789012345;
  s.eval.prefix_reuse = false;
  const ScoringSetup back = ScoringSetup::parse(s.text());
  EXPECT_EQ(back.text(), s.text());
  EXPECT_EQ(back.model, s.model);
  EXPECT_EQ(back.dataset, s.dataset);
  EXPECT_EQ(back.eval.seed, s.eval.seed);
  EXPECT_EQ(back.eval.quant.percentile, s.eval.quant.percentile);  // exactly, not nearly
  EXPECT_EQ(back.eval.quant.method, s.eval.quant.method);
  EXPECT_FALSE(back.eval.prefix_reuse);
}

TEST(ScoringSetup, AMissingOrMalformedFieldIsAnError) {
  const std::string text = ScoringSetup{}.text();
  EXPECT_THROW((void)ScoringSetup::parse(text.substr(text.find('\n') + 1)), Error);  // no model line
  std::string bad = text;
  bad.replace(bad.find("images 1000"), 11, "images lots");
  EXPECT_THROW((void)ScoringSetup::parse(bad), Error);
  ScoringSetup s;
  s.model = "two\nlines";
  EXPECT_THROW((void)s.text(), Error);
}

TEST(ScoringStack, AStackBuiltFromTheTextOfAnotherScoresInTheSameContext) {
  if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const test::TempDir dir;
  ScoringSetup s;
  s.model = "vit-fmnist";
  s.arch = "lowpower-vit-28nm";
  s.dataset = test::small_fashion_mnist(dir.path() / "data", 32, 16).string();
  s.eval.images = 8;
  s.eval.calibration_images = 8;
  const ScoringStack first(s);
  EXPECT_EQ(first.setup().dataset.rfind("idx:", 0), 0u) << "the resolved kind is named";
  const ScoringStack second(ScoringSetup::parse(first.setup().text()));
  EXPECT_EQ(second.scorer().context(), first.scorer().context());
  const auto design = model::default_design(first.workload());
  EXPECT_EQ(second.scorer().score(design).top1_pct, first.scorer().score(design).top1_pct);
}

}  // namespace
}  // namespace vitdse::search

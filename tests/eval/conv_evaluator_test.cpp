// The EfficientViT evaluator: scores from its pieces, through the factory by family.
#include "vitdse/eval/conv_evaluator.hpp"

#include <gtest/gtest.h>

#include "eval/synthetic_weights.hpp"
#include "test_util.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::eval {
namespace {

using test::test_data;

TEST(ConvEvaluator, ScoresADesignWholeOrInPiecesAndTheFloatModelAgainstItself) {
  if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const test::TempDir dir;
  const std::string name = "efficientvit-28x28-random";
  test::write_synthetic_weights(dir.path() / (name + ".safetensors"),
                                test::fixture_keys(test_data(name + ".io.safetensors")));
  const auto card = model::load_model_card(dir.write("evit.yaml", test::read_file(test_data(name + ".yaml"))));
  EvalOptions options;
  options.images = 40;
  options.calibration_images = 8;
  const auto ev = make_evaluator(card, resolve_dataset(card, {}), options);
  EXPECT_EQ(ev->float_report().images, 40u);
  EXPECT_EQ(ev->float_report().agreement_pct, 100.0);
  EXPECT_EQ(ev->image_chunks(), 3);  // 16 images a chunk

  const model::Workload workload(card);
  const auto design = model::parse_design("version: 1\ndefaults: {mult: \"drum:8s:k=4\", wbits: 6}\n", "d", workload);
  const EvalReport whole = ev->evaluate(design, workload);
  EXPECT_EQ(whole.images, 40u);
  EXPECT_GT(whole.logit_mse, 0.0);
  std::vector<float> pieces;
  for (int c = 0; c < ev->image_chunks(); ++c) {
    const auto part = ev->chunk_logits(design, workload, c, c + 1);
    pieces.insert(pieces.end(), part.values.begin(), part.values.end());
  }
  const EvalReport joined = ev->report(pieces);
  EXPECT_EQ(joined.top1_pct, whole.top1_pct);
  EXPECT_EQ(joined.logit_mse, whole.logit_mse);

  test::expect_one_line_error([&] { (void)make_evaluator(card, resolve_dataset(card, {}), options, Device::cuda(0)); },
                              "--device cuda:0");
}

}  // namespace
}  // namespace vitdse::eval

// The CPU evaluator's prefix reuse: resuming from the last design's stage states changes no score.
#include "vitdse/eval/cpu_evaluator.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.hpp"

namespace vitdse::eval {
namespace {

TEST(CpuEvaluator, PrefixReuseScoresExactlyAsAFullPass) {
  if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto card = model::load_model_card(test::test_data("vit-28x28-random.yaml"));
  const model::Workload workload(card);
  EvalOptions options;
  options.images = 40;
  options.calibration_images = 8;
  const CpuEvaluator reusing(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  options.prefix_reuse = false;
  const CpuEvaluator full(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  const auto design = [&](const std::string& text) { return model::parse_design(text, "d.yaml", workload); };
  // Each differs from the one before from some stage on: the last block, the embedding, a
  // middle block's pruning, nothing, and then everything.
  const std::vector<model::Design> designs{
      design("defaults: {mult: \"drum:8s:k=4\"}"),
      design("defaults: {mult: \"drum:8s:k=4\"}\nblocks: {\"3\": {wbits: 4}}"),
      design("defaults: {mult: \"drum:8s:k=4\"}\nblocks: {\"3\": {wbits: 4}}\nlayers: {patch_embed: {abits: 6}}"),
      design("defaults: {mult: \"drum:8s:k=4\"}\nblocks: {\"1\": {token_keep: 0.5}, \"3\": {wbits: 4}}"),
      design("defaults: {mult: \"drum:8s:k=4\"}\nblocks: {\"1\": {token_keep: 0.5}, \"3\": {wbits: 4}}"),
      design("defaults: {wbits: 6, abits: 6}")};
  for (std::size_t i = 0; i < designs.size(); ++i) {
    const auto a = reusing.evaluate(designs[i], workload), b = full.evaluate(designs[i], workload);
    EXPECT_EQ(a.top1_pct, b.top1_pct) << i;
    EXPECT_EQ(a.agreement_pct, b.agreement_pct) << i;
    EXPECT_EQ(a.kl_mean, b.kl_mean) << i;
    EXPECT_EQ(a.logit_mse, b.logit_mse) << i;
  }
  // Stages taken over (the embedding and 4 blocks): design 1 the embedding and blocks 0-2;
  // design 2 none (patch_embed changed); design 3 none (changed back); design 4 all; design 5 none.
  EXPECT_EQ(reusing.stages_reused(), 4u + 0u + 0u + 5u + 0u);
  EXPECT_EQ(full.stages_reused(), 0u);
}

}  // namespace
}  // namespace vitdse::eval

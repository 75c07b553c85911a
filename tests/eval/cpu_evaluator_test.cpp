// The CPU evaluator's prefix reuse and pieces: resuming from the last design's stage states, or
// scoring a design from the logits of its chunks computed apart, changes no score.
#include "vitdse/eval/cpu_evaluator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"

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

TEST(CpuEvaluator, ADesignScoredFromItsChunksInAnyOrderScoresExactlyAsAWholePass) {
  if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto card = model::load_model_card(test::test_data("vit-28x28-random.yaml"));
  const model::Workload workload(card);
  EvalOptions options;
  options.images = 45;  // the last chunk is short
  options.calibration_images = 8;
  const CpuEvaluator pieces(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  const CpuEvaluator whole(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  const int chunks = pieces.image_chunks();
  ASSERT_GE(chunks, 3);
  const auto design = [&](const std::string& text) { return model::parse_design(text, "d.yaml", workload); };
  // Designs sharing leading stages, their pieces interleaved, so that each chunk resumes from
  // states another design left in it.
  const std::vector<model::Design> designs{
      design("defaults: {mult: \"drum:8s:k=4\"}"),
      design("defaults: {mult: \"drum:8s:k=4\"}\nblocks: {\"1\": {token_keep: 0.5}}"),
      design("defaults: {mult: \"drum:8s:k=4\"}\nblocks: {\"3\": {wbits: 4}}")};
  std::vector<std::vector<std::pair<int, std::vector<float>>>> got(designs.size());
  std::mt19937 rng(11);
  for (int round = 0; round < 2; ++round) {
    std::vector<std::pair<std::size_t, int>> order;  // (design, first chunk), pieces of 1 or 2 chunks
    for (std::size_t d = 0; d < designs.size(); ++d) {
      for (int c = 0; c < chunks; c += 2) order.emplace_back(d, c);
    }
    std::shuffle(order.begin(), order.end(), rng);
    for (const auto& [d, first] : order) {
      const int last = std::min(chunks, first + 2);
      auto logits = pieces.chunk_logits(designs[d], workload, first, last);
      if (round == 1) got[d].emplace_back(first, std::move(logits.values));
    }
  }
  for (std::size_t d = 0; d < designs.size(); ++d) {
    std::sort(got[d].begin(), got[d].end());
    std::vector<float> logits;
    for (const auto& [first, values] : got[d]) logits.insert(logits.end(), values.begin(), values.end());
    const auto a = pieces.report(logits), b = whole.evaluate(designs[d], workload);
    EXPECT_EQ(a.images, b.images) << d;
    EXPECT_EQ(a.top1_pct, b.top1_pct) << d;
    EXPECT_EQ(a.kl_mean, b.kl_mean) << d;
    EXPECT_EQ(a.logit_mse, b.logit_mse) << d;
    EXPECT_EQ(a.snr_db, b.snr_db) << d;
  }
  EXPECT_GT(pieces.stages_reused(), 0u);  // the second round resumed
  EXPECT_THROW((void)pieces.chunk_logits(designs[0], workload, 1, 1), Error);
  EXPECT_THROW((void)pieces.chunk_logits(designs[0], workload, 0, chunks + 1), Error);
  EXPECT_THROW((void)pieces.report(std::vector<float>(3)), Error);
}

}  // namespace
}  // namespace vitdse::eval

// Workload counts against the published figures (REFERENCE: Touvron et al. 2021; timm; Cai et
// al. 2023) and against an independent closed-form count.
#include "vitdse/model/workload.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "vitdse/model/design.hpp"

namespace vitdse::model {

namespace {

double total_macs(const Workload& w, const Design& d) {
  const auto schedule = w.token_schedule(d.keep_after_block(w));
  double macs = 0;
  for (std::size_t i = 0; i < w.layers().size(); ++i) macs += design_counts(w, d, i, schedule).macs;
  return macs;
}

double total_macs(const Workload& w) { return total_macs(w, default_design(w)); }

/// The closed form of REFERENCE.md: per block 12 N D^2 + 2 N^2 D (MLP ratio 4), plus the patch
/// embedding (N-1) P^2 C D and the head D * classes.
double vit_block_macs(double n, double d) { return 3 * n * d * d + 2 * n * n * d + n * d * d + 8 * n * d * d; }

}  // namespace

struct Published {
  const char* model;
  double gmacs;
  double mparams;
};

void PrintTo(const Published& p, std::ostream* os) { *os << p.model; }

class PublishedCounts : public ::testing::TestWithParam<Published> {};

TEST_P(PublishedCounts, WithinOnePercent) {
  const auto& p = GetParam();
  const Workload w(load_model_card(p.model));
  EXPECT_NEAR(total_macs(w) / 1e9, p.gmacs, 0.01 * p.gmacs) << p.model;
  EXPECT_NEAR(static_cast<double>(w.params()) / 1e6, p.mparams, 0.01 * p.mparams) << p.model;
}

INSTANTIATE_TEST_SUITE_P(Reference, PublishedCounts,
                         ::testing::Values(Published{"deit-tiny", 1.25, 5.7}, Published{"deit-small", 4.60, 22.1},
                                           Published{"deit-base", 17.56, 86.6}, Published{"vit-large-16", 61.6, 304}),
                         [](const auto& param_info) {
                           std::string name = param_info.param.model;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(Workload, EfficientVitB1WithinFivePercent) {
  // Cai et al. (ICCV 2023) model zoo: EfficientViT-B1 r224, 0.52 GMACs, 9.1M parameters.
  const Workload w(load_model_card("efficientvit-b1"));
  EXPECT_NEAR(total_macs(w) / 1e9, 0.52, 0.05 * 0.52);
  EXPECT_NEAR(static_cast<double>(w.params()) / 1e6, 9.1, 0.05 * 9.1);
  EXPECT_EQ(w.block_count(), 14);  // 2 + 3 MBConv, then (1 + 3) and (1 + 4)
  for (const auto& l : w.layers()) EXPECT_NE(l.kind, OpKind::softmax) << l.name;
}

TEST(Workload, DeitSmallMatchesClosedForm) {
  const Workload w(load_model_card("deit-small"));
  const double n = 197, d = 384;
  const double expected = 12 * vit_block_macs(n, d) + 196.0 * 16 * 16 * 3 * d + d * 1000;
  EXPECT_DOUBLE_EQ(total_macs(w), expected);
}

TEST(Workload, LayerNamesFollowTimm) {
  const Workload w(load_model_card("deit-tiny"));
  for (const char* name : {"patch_embed", "blocks.0.norm1", "blocks.0.attn.qkv", "blocks.0.attn.qk",
                           "blocks.0.attn.softmax", "blocks.0.attn.av", "blocks.0.attn.proj", "blocks.0.norm2",
                           "blocks.0.mlp.fc1", "blocks.0.mlp.act", "blocks.11.mlp.fc2", "norm", "head"}) {
    EXPECT_GE(w.find(name), 0) << name;
  }
  EXPECT_EQ(w.layers().size(), 1 + 12 * 10 + 2);
}

TEST(Workload, NonlinearCounts) {
  const Workload w(load_model_card("deit-small"));
  const auto schedule = w.token_schedule({});
  const auto softmax = w.counts(static_cast<std::size_t>(w.find("blocks.0.attn.softmax")), schedule[0], 1.0);
  EXPECT_EQ(softmax.nonlinear.exp, 6.0 * 197 * 197);  // h N^2 exponentials
  const auto act = w.counts(static_cast<std::size_t>(w.find("blocks.0.mlp.act")), schedule[0], 1.0);
  EXPECT_EQ(act.nonlinear.erf, 197.0 * 1536);
  const auto norm = w.counts(static_cast<std::size_t>(w.find("blocks.0.norm1")), schedule[0], 1.0);
  EXPECT_EQ(norm.nonlinear.sqrt, 197);
}

TEST(Workload, TokenPruningAfterBlocks3_6_9) {
  const Workload w(load_model_card("deit-small"));
  const Design d = parse_design(
      "version: 1\nblocks:\n  \"3\": {token_keep: 0.7}\n  \"6\": {token_keep: 0.7}\n  \"9\": {token_keep: 0.7}\n",
      "prune.yaml", w);
  // Independently: t' = 1 + ceil(0.7 (t - 1)): 197 -> 139 -> 98 -> 69.
  const double dd = 384;
  std::vector<double> tokens(12);
  double t = 197;
  for (int b = 0; b < 12; ++b) {
    tokens[static_cast<std::size_t>(b)] = t;
    if (b == 3 || b == 6 || b == 9) t = 1 + std::ceil(0.7 * (t - 1) - 1e-9);
  }
  EXPECT_EQ(tokens[4], 139);
  EXPECT_EQ(tokens[7], 98);
  EXPECT_EQ(tokens[10], 69);
  double expected = 196.0 * 16 * 16 * 3 * dd + dd * 1000;
  for (double tb : tokens) expected += vit_block_macs(tb, dd);
  EXPECT_DOUBLE_EQ(total_macs(w, d), expected);
}

TEST(Workload, PruningNeverRaisesLaterLayers) {
  const Workload w(load_model_card("deit-tiny"));
  const Design base = default_design(w);
  for (double keep : {0.9, 0.7, 0.5, 0.3, 0.1}) {
    Design pruned = base;
    pruned.layers[static_cast<std::size_t>(w.find("blocks.2.attn.softmax"))].token_keep = keep;
    const auto s0 = w.token_schedule(base.keep_after_block(w));
    const auto s1 = w.token_schedule(pruned.keep_after_block(w));
    for (std::size_t i = 0; i < w.layers().size(); ++i) {
      const auto c0 = design_counts(w, base, i, s0), c1 = design_counts(w, pruned, i, s1);
      EXPECT_LE(c1.macs, c0.macs) << w.layers()[i].name;
      const int block = w.layers()[i].block;
      if (block > 2 && c0.macs > 0) {
        EXPECT_LT(c1.macs, c0.macs) << w.layers()[i].name;
      }
      if (block >= 0 && block <= 2) {
        EXPECT_EQ(c1.macs, c0.macs) << w.layers()[i].name;
      }
    }
  }
}

TEST(Workload, Ffn2PruningScalesOnlyFc2) {
  const Workload w(load_model_card("deit-tiny"));
  const Design base = default_design(w);
  Design pruned = base;
  const auto fc2 = static_cast<std::size_t>(w.find("blocks.5.mlp.fc2"));
  pruned.layers[fc2].ffn2_prune = 0.6;
  const auto s = w.token_schedule({});
  for (std::size_t i = 0; i < w.layers().size(); ++i) {
    const auto c0 = design_counts(w, base, i, s), c1 = design_counts(w, pruned, i, s);
    if (i == fc2) {
      EXPECT_EQ(c1.k, 308);  // ceil(0.4 * 768)
      EXPECT_DOUBLE_EQ(c1.macs, 197.0 * 308 * 192);
      // Dynamic (the default): each token its own 308 units, so all 768 rows stay stored and
      // each token's 768 hidden values are ranked.
      EXPECT_EQ(c1.weight_elems, 768 * 192);
      EXPECT_EQ(c1.stored_k, 768);
      EXPECT_DOUBLE_EQ(c1.dynamic_skip, 0.6);
      EXPECT_DOUBLE_EQ(c1.selected, 197.0 * 768);
    } else {
      EXPECT_EQ(c1.macs, c0.macs);
      EXPECT_EQ(c1.weight_elems, c0.weight_elems);
      EXPECT_EQ(c1.selected, 0);
    }
  }
  // Static: the same 308 units for every token, so only their rows are stored; nothing ranked.
  pruned.layers[fc2].ffn2_mode = Ffn2Mode::static_columns;
  const auto c = design_counts(w, pruned, fc2, s);
  EXPECT_DOUBLE_EQ(c.macs, 197.0 * 308 * 192);
  EXPECT_EQ(c.weight_elems, 308 * 192);
  EXPECT_EQ(c.stored_k, 308);
  EXPECT_EQ(c.dynamic_skip, 0);
  EXPECT_EQ(c.selected, 0);
  EXPECT_EQ(Workload::ffn2_kept(10, 0.3), 7);  // no floating-point round-up
}

TEST(Workload, ReluDesignRemovesErf) {
  const Workload w(load_model_card("deit-tiny"));
  const Design d = parse_design("version: 1\ndefaults: {gelu: \"gelu:relu\"}\n", "relu.yaml", w);
  const auto s = w.token_schedule({});
  EXPECT_EQ(design_counts(w, d, static_cast<std::size_t>(w.find("blocks.0.mlp.act")), s).nonlinear.erf, 0);
}

TEST(Workload, LinearAttentionIsLinearInTokens) {
  ModelCard card = load_model_card("deit-tiny");
  card.attention = Attention::linear_relu;
  const Workload w(card);
  EXPECT_LT(w.find("blocks.0.attn.qk"), 0);
  const auto kv = w.counts(static_cast<std::size_t>(w.find("blocks.0.attn.kv")), 197, 1.0);
  const auto out = w.counts(static_cast<std::size_t>(w.find("blocks.0.attn.qkv_out")), 197, 1.0);
  // REFERENCE: ReLU linear attention costs about 2 N D (d + 1) MACs.
  EXPECT_DOUBLE_EQ(kv.macs + out.macs, 2.0 * 197 * 192 * (64 + 1));
  EXPECT_DOUBLE_EQ(out.nonlinear.div, 197.0 * 192);
}

}  // namespace vitdse::model

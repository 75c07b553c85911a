// Design files: precedence, canonical form and hash, and every validation error.
#include "vitdse/model/design.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::model {

namespace {

const Workload& tiny() {
  static const Workload w(load_model_card("deit-tiny"));
  return w;
}

Design parse(const std::string& text) { return parse_design(text, "d.yaml", tiny()); }

std::string design_error(const std::string& text) {
  try {
    parse(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

nlohmann::json layer(const Design& d, const std::string& name) {
  return nlohmann::json::parse(canonical_json(d, tiny()))["layers"][name];
}

}  // namespace

TEST(Design, DefaultsAreW8A8Exact) {
  const Design d = default_design(tiny());
  EXPECT_EQ(layer(d, "blocks.0.attn.qkv"), nlohmann::json::parse(R"({"abits":8,"mult":"exact:8s","wbits":8})"));
  EXPECT_EQ(layer(d, "blocks.0.attn.qk"), nlohmann::json::parse(R"({"abits":8,"mult":"exact:8s"})"));
  EXPECT_EQ(layer(d, "blocks.0.attn.softmax"),
            nlohmann::json::parse(R"({"softmax":"softmax:exact","token_keep":1.0})"));
  EXPECT_EQ(layer(d, "blocks.0.mlp.fc2")["ffn2_prune"], 0.0);
  EXPECT_TRUE(layer(d, "blocks.0.norm1").is_null());  // nothing to choose on a norm yet
}

TEST(Design, PrecedenceLayersOverBlocksOverDefaults) {
  const Design d = parse(R"(version: 1
defaults: {wbits: 6}
blocks:
  "2-4": {wbits: 4, abits: 6}
layers:
  blocks.3.mlp.fc1: {wbits: 2}
)");
  EXPECT_EQ(layer(d, "blocks.0.mlp.fc1")["wbits"], 6);
  EXPECT_EQ(layer(d, "blocks.2.mlp.fc1")["wbits"], 4);
  EXPECT_EQ(layer(d, "blocks.2.mlp.fc1")["abits"], 6);
  EXPECT_EQ(layer(d, "blocks.3.mlp.fc1")["wbits"], 2);
  EXPECT_EQ(layer(d, "blocks.3.mlp.fc1")["abits"], 6);
  EXPECT_EQ(layer(d, "blocks.3.mlp.fc2")["wbits"], 4);
  EXPECT_EQ(layer(d, "blocks.5.mlp.fc1")["wbits"], 6);
  EXPECT_EQ(layer(d, "patch_embed")["wbits"], 6);
}

TEST(Design, SameMeaningSameHash) {
  const Design a = parse("version: 1\nblocks:\n  \"0-1\": {wbits: 6}\n");
  const Design b = parse("version: 1\nblocks: {\"1\": {wbits: 6}, \"0\": {wbits: 6}}\n");
  const Design c = parse("version: 1\nlayers:\n" + [] {
    std::string s;
    for (int blk = 0; blk < 2; ++blk) {
      for (const char* l : {"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"}) {
        s += "  blocks." + std::to_string(blk) + "." + l + ": {wbits: 6}\n";
      }
    }
    return s;
  }());
  const Design explicit_defaults = parse("version: 1\ndefaults: {mult: \"exact:8s\", wbits: 8, abits: 8}\n");
  EXPECT_EQ(design_hash(a, tiny()), design_hash(b, tiny()));
  EXPECT_EQ(design_hash(a, tiny()), design_hash(c, tiny()));
  EXPECT_EQ(design_hash(explicit_defaults, tiny()), design_hash(default_design(tiny()), tiny()));
  EXPECT_NE(design_hash(a, tiny()), design_hash(default_design(tiny()), tiny()));
  const std::string canonical = canonical_json(a, tiny());
  EXPECT_EQ(canonical.find(' '), std::string::npos);
  EXPECT_EQ(design_hash(a, tiny()).size(), 16u);
}

TEST(Design, LoadsFromFile) {
  test::TempDir dir;
  const auto path = dir.write("d.yaml", "version: 1\nblocks: {\"11\": {token_keep: 0.5}}\n");
  const Design d = load_design(path, tiny());
  EXPECT_EQ(d.keep_after_block(tiny())[11], 0.5);
  EXPECT_THROW(load_design(dir.path() / "missing.yaml", tiny()), Error);
}

TEST(Design, ValidationErrors) {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"version: 1\nlayers:\n  blocks.0.attn.qkvv: {wbits: 4}\n",
       "d.yaml:3: model 'deit-tiny' has no layer 'blocks.0.attn.qkvv' (did you mean 'blocks.0.attn.qkv'?)"},
      {"version: 1\nblocks:\n  \"10-12\": {wbits: 4}\n",
       "d.yaml:3: block range '10-12' is out of bounds; the model has blocks 0..11"},
      {"version: 1\nblocks:\n  \"-1\": {wbits: 4}\n", "block range '-1'"},
      {"version: 1\nblocks:\n  \"5-3\": {wbits: 4}\n", "out of bounds"},
      {"version: 1\nblocks:\n  \"x\": {wbits: 4}\n", "must be an index or 'first-last'"},
      {"version: 1\ndefaults: {wbit: 4}\n", "unknown key 'wbit' in design defaults (did you mean 'wbits'?)"},
      {"version: 1\ndefults: {wbits: 4}\n", "unknown key 'defults' in design file (did you mean 'defaults'?)"},
      {"version: 1\ndefaults: {wbits: 1}\n", "'wbits' = 1 is out of range; allowed 2..16"},
      {"version: 1\ndefaults: {abits: 17}\n", "'abits' = 17 is out of range"},
      {"version: 1\ndefaults: {token_keep: 0}\n", "'token_keep' must be in (0, 1]"},
      {"version: 1\ndefaults: {token_keep: 1.5}\n", "'token_keep' = 1.5 is out of range"},
      {"version: 1\ndefaults: {ffn2_prune: 1}\n", "'ffn2_prune' must be in [0, 1)"},
      {"version: 1\ndefaults: {ffn2_prune: -0.1}\n", "'ffn2_prune' = -0.1 is out of range"},
      {"version: 1\ndefaults: {mult: \"booth:8s\"}\n", "unknown multiplier family 'booth'"},
      {"version: 1\ndefaults: {mult: \"exact:8s:k=6\"}\n", "unknown key 'k' for family 'exact'"},
      {"version: 1\ndefaults: {mult: \"drum:8s:k=9\"}\n", "k=9 is out of range; allowed 2..8"},
      {"version: 1\ndefaults: {gelu: \"gelu:exactt\"}\n", "unknown gelu variant 'exactt' (did you mean 'exact'?)"},
      {"version: 1\ndefaults: {softmax: \"gelu:exact\"}\n", "expected a softmax unit"},
      {"version: 1\ndefaults: {softmax: \"softmax:iter:k=9\"}\n", "k=9 is out of range; allowed 0..8"},
      {"version: 1\ndefaults: {wbits: 12}\n", "uses 12-bit operands on the 8-bit multiplier 'exact:8s'"},
      {"version: 1\nlayers:\n  blocks.0.attn.qkv: {gelu: \"gelu:relu\"}\n",
       "gelu does not apply to layer 'blocks.0.attn.qkv' (linear); it accepts: mult, wbits, abits"},
      {"version: 1\nlayers:\n  blocks.0.attn.qk: {wbits: 4}\n", "wbits does not apply to layer 'blocks.0.attn.qk'"},
      {"version: 1\nblocks:\n  \"0-3\": {wbits: 4}\n  \"2\": {wbits: 6}\n", "which another block entry already sets"},
      {"version: 1\nblocks: [1, 2]\n", "'blocks' must map block indices"},
      // Found by fuzzing: `? k: v` makes the key itself a mapping.
      {"version: 1\nblocks:\n ? \"2\": {wbits: 4}\n", "d.yaml:3: 'blocks' has a key that is not a plain name"},
      {"version: 1\nlayers:\n  [head]: {wbits: 4}\n", "d.yaml:3: 'layers' has a key that is not a plain name"},
      {"version: 1\nlayers:\n  head: 3\n", "must be a mapping"},
      {"version: 2\n", "'version' = 2 is out of range"},
      {"version: one\n", "'version'"},
      {"version: 1\ndefaults: {wbits: [4\n", "malformed YAML"},
      {"version: 1\ndefaults: {wquant: per-row}\n", "'wquant' is 'per-row'; allowed: per-channel, per-tensor"},
      {"version: 1\ndefaults: {transform: migration}\n",
       "'transform' is 'migration' (did you mean 'migrate'?); allowed: none, migrate, shift, migrate+shift"},
      {"version: 1\ndefaults: {ffn2_mode: sometimes}\n", "allowed: dynamic, static"},
      {"version: 1\ndefaults: {divide: 3}\n", "'divide' is '3'; allowed: exact, log2"},
      {"version: 1\nlayers:\n  blocks.0.attn.qk: {transform: shift}\n",
       "transform does not apply to layer 'blocks.0.attn.qk'"},
      {"version: 1\nlayers:\n  blocks.0.attn.qkv: {ffn2_mode: static}\n",
       "ffn2_mode does not apply to layer 'blocks.0.attn.qkv'"},
      {"version: 1\nlayers:\n  blocks.0.attn.av: {divide: log2}\n",
       "divide does not apply to layer 'blocks.0.attn.av'"},
  };
  for (const auto& c : cases) {
    const std::string msg = design_error(c.text);
    EXPECT_NE(msg.find(c.expect), std::string::npos) << "input:\n" << c.text << "\nmessage: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(Design, ApproximateMultipliersResolveToCanonicalSpecs) {
  const Design d = parse("version: 1\nlayers:\n  blocks.0.mlp.fc2: {mult: \"bam:8s:vbl=4:hbl=1\"}\n");
  EXPECT_EQ(layer(d, "blocks.0.mlp.fc2")["mult"], "bam:8s:hbl=1:vbl=4");
  EXPECT_EQ(d.units.size(), 2u);
}

TEST(Design, NonlinearSpecsAreCanonical) {
  const Design a = parse("version: 1\ndefaults: {softmax: \"softmax:iter\", gelu: \"gelu:ibert\"}\n");
  const Design b =
      parse("version: 1\ndefaults: {softmax: \"softmax:iter:k=3\", gelu: \"gelu:ibert:range=4:bits=8\"}\n");
  EXPECT_EQ(layer(a, "blocks.0.attn.softmax")["softmax"], "softmax:iter:k=3");
  EXPECT_EQ(design_hash(a, tiny()), design_hash(b, tiny()));
}

TEST(Design, QuantisationTransformAndPruningModesResolvePerLayer) {
  const Design d = parse(R"(version: 1
defaults: {wquant: per-tensor, transform: migrate, ffn2_prune: 0.5}
blocks:
  "1": {ffn2_mode: static, transform: migrate+shift}
layers:
  blocks.0.mlp.fc2: {transform: shift}
)");
  EXPECT_EQ(layer(d, "blocks.0.attn.qkv")["wquant"], "per-tensor");
  EXPECT_EQ(layer(d, "blocks.0.attn.qkv")["transform"], "migrate");
  EXPECT_EQ(layer(d, "blocks.0.mlp.fc2")["transform"], "shift");
  EXPECT_EQ(layer(d, "blocks.1.mlp.fc1")["transform"], "migrate+shift");
  EXPECT_FALSE(layer(d, "blocks.0.mlp.fc2").contains("ffn2_mode"));  // dynamic, the default
  EXPECT_EQ(layer(d, "blocks.1.mlp.fc2")["ffn2_mode"], "static");
  EXPECT_FALSE(layer(d, "blocks.0.attn.qk").contains("wquant"));  // no weights
  const auto fc2 = static_cast<std::size_t>(tiny().find("blocks.1.mlp.fc2"));
  EXPECT_EQ(d.layers[fc2].ffn2_mode, Ffn2Mode::static_columns);
  EXPECT_EQ(d.layers[fc2].transform, InputTransform::migrate_shift);
  EXPECT_EQ(layer_settings(d, fc2).ffn2_prune, 0.5);
}

TEST(Design, FieldsAtTheirDefaultsHashAsIfUnwritten) {
  // Caches key scores by design hash, so designs that leave the newer fields alone keep theirs.
  const auto base = design_hash(default_design(tiny()), tiny());
  EXPECT_EQ(
      design_hash(parse("version: 1\ndefaults: {wquant: per-channel, transform: none, ffn2_mode: dynamic}\n"), tiny()),
      base);
  // Static pruning of nothing is no pruning.
  EXPECT_EQ(design_hash(parse("version: 1\ndefaults: {ffn2_mode: static}\n"), tiny()), base);
  EXPECT_NE(design_hash(parse("version: 1\ndefaults: {wquant: per-tensor}\n"), tiny()), base);
  EXPECT_NE(design_hash(parse("version: 1\ndefaults: {ffn2_prune: 0.5, ffn2_mode: static}\n"), tiny()),
            design_hash(parse("version: 1\ndefaults: {ffn2_prune: 0.5}\n"), tiny()));
}

TEST(Design, SettingsRoundTripThroughMakeDesign) {
  const Design d = parse(R"(version: 1
defaults: {mult: "drum:8s:k=4", wquant: per-tensor}
layers:
  blocks.2.mlp.fc2: {ffn2_prune: 0.25, ffn2_mode: static, transform: shift, wbits: 6}
  blocks.3.attn.softmax: {softmax: "softmax:log2", token_keep: 0.5}
)");
  std::vector<LayerSettings> settings;
  for (std::size_t i = 0; i < d.layers.size(); ++i) settings.push_back(layer_settings(d, i));
  EXPECT_EQ(canonical_json(make_design(tiny(), settings), tiny()), canonical_json(d, tiny()));
  settings[static_cast<std::size_t>(tiny().find("head"))].wbits = 12;
  try {
    (void)make_design(tiny(), settings);
    ADD_FAILURE() << "12-bit operands on an 8-bit multiplier were accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layer 'head' uses 12-bit operands"), std::string::npos) << e.what();
  }
}

TEST(Design, LinearAttentionDividesByShiftingWithALog2Divider) {
  const Workload w(load_model_card("vit-fmnist-linear"));
  const auto i = static_cast<std::size_t>(w.find("blocks.0.attn.qkv_out"));
  const Design exact = default_design(w);
  const Design shifted = parse_design("version: 1\ndefaults: {divide: log2}\n", "d.yaml", w);
  const auto schedule = w.token_schedule(exact.keep_after_block(w));
  EXPECT_GT(design_counts(w, exact, i, schedule).nonlinear.div, 0.0);
  EXPECT_EQ(design_counts(w, shifted, i, schedule).nonlinear.div, 0.0);
  EXPECT_EQ(design_counts(w, shifted, i, schedule).macs, design_counts(w, exact, i, schedule).macs);
  EXPECT_EQ(nlohmann::json::parse(canonical_json(shifted, w))["layers"]["blocks.0.attn.qkv_out"]["divide"], "log2");
}

TEST(Design, WiderMultiplierAcceptsWiderOperands) {
  const Design d = parse("version: 1\ndefaults: {mult: \"exact:12s\", wbits: 12, abits: 10}\n");
  EXPECT_EQ(layer(d, "head")["mult"], "exact:12s");
}

}  // namespace vitdse::model

// ONNX models: the graph's workload against independent counts and the zoo's cards, and timm
// exports imported back into cards that reproduce ONNX Runtime's logits.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "test_util.hpp"
#include "vitdse/cost/cost_model.hpp"
#include "vitdse/model/card.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/model/onnx_import.hpp"
#include "vitdse/model/onnx_workload.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::model {
namespace {

using test::expect_one_line_error;
using test::run_cli;
using test::test_data;

#define VITDSE_NEEDS_ONNX() \
  if (!onnx_built()) GTEST_SKIP() << "this build reads no ONNX models (libonnx-dev was not found)"

// MACs, elements and nonlinear operations summed per kind of layer.
struct KindTotals {
  double macs = 0, elements = 0, exp = 0, erf = 0, div = 0, sqrt = 0;
  std::int64_t params = 0;
  int layers = 0;
};
std::map<OpKind, KindTotals> per_kind(const Workload& w) {
  std::map<OpKind, KindTotals> out;
  const auto schedule = w.token_schedule({});
  for (std::size_t i = 0; i < w.layers().size(); ++i) {
    const auto c = w.counts(i, w.tokens_for(i, schedule), 1);
    auto& t = out[w.layers()[i].kind];
    t.macs += c.macs;
    t.elements += c.elements;
    t.exp += c.nonlinear.exp;
    t.erf += c.nonlinear.erf;
    t.div += c.nonlinear.div;
    t.sqrt += c.nonlinear.sqrt;
    t.params += w.layers()[i].params;
    ++t.layers;
  }
  return out;
}

TEST(OnnxWorkload, ConvolutionsOfEveryGroupingCountTheirMacsAndParameters) {
  VITDSE_NEEDS_ONNX();
  const auto w = onnx_workload(load_onnx_graph(test_data("onnx/convs.onnx")));
  EXPECT_TRUE(w.unpriced.empty());
  ASSERT_EQ(w.workload.layers().size(), 5U);
  // Counted directly: output positions x output channels x (input channels per group x kernel).
  const double positions = 8 * 8;
  const std::map<std::string, std::pair<double, std::int64_t>> expect{
      {"features.0", {positions * 8 * (4 * 3 * 3), 8 * 4 * 9 + 8}},  // dense 3x3
      {"features.2", {positions * 8 * (1 * 3 * 3), 8 * 9}},          // depthwise 3x3, no bias
      {"features.3", {positions * 8 * (4 * 1 * 1), 8 * 4 + 8}},      // 2 groups of 4 -> 4
      {"head", {512.0 * 10, 512 * 10 + 10}},                         // Gemm, transB
  };
  const auto schedule = w.workload.token_schedule({});
  for (const auto& [name, want] : expect) {
    const int i = w.workload.find(name);
    ASSERT_GE(i, 0) << name;
    const auto c = w.workload.counts(static_cast<std::size_t>(i), w.workload.tokens_for(i, schedule), 1);
    EXPECT_EQ(c.macs, want.first) << name;
    EXPECT_EQ(w.workload.layers()[static_cast<std::size_t>(i)].params, want.second) << name;
  }
  EXPECT_EQ(w.workload.layers()[static_cast<std::size_t>(w.workload.find("features.2"))].groups, 8);
  EXPECT_EQ(w.workload.layers()[static_cast<std::size_t>(w.workload.find("features.1"))].kind, OpKind::activation);
  EXPECT_EQ(w.uncounted.at("Flatten"), 1);
  EXPECT_EQ(w.workload.card().num_classes, 10);
  EXPECT_EQ(w.workload.card().in_chans, 4);
}

TEST(OnnxWorkload, UnpricedOperatorsAreListedByTypeAndCountNeverPricedAtZero) {
  VITDSE_NEEDS_ONNX();
  const auto file = test_data("onnx/unpriced.onnx");
  expect_one_line_error([&] { (void)load_onnx_workload(file, false); },
                        "2 operators that vitdse cannot price: Sigmoid x1, Tanh x1");
  const auto w = load_onnx_workload(file, true);
  EXPECT_EQ(w.unpriced, (std::map<std::string, int>{{"Sigmoid", 1}, {"Tanh", 1}}));
  ASSERT_EQ(w.workload.layers().size(), 2U);
  EXPECT_EQ(w.workload.macs(), 8 * 16 + 16 * 4);
  EXPECT_EQ(w.workload.layers()[0].params, 8 * 16 + 16);  // the bias Add folds into fc1

  auto r = run_cli({"workload", "--model", file});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(test::one_line(r.err)) << r.err;
  r = run_cli({"cost", "--model", file, "--allow-unpriced", "--json"});
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(OnnxWorkload, BrokenFilesAreOneLineErrorsNamingTheFile) {
  VITDSE_NEEDS_ONNX();
  const test::TempDir dir;
  const std::string whole = test::read_file(test_data("onnx/convs.onnx"));
  const auto text = dir.write("text.onnx", "this is not a protobuf message at all\n");
  const auto cut = dir.write("cut.onnx", whole.substr(0, whole.size() / 2));
  expect_one_line_error([&] { (void)load_onnx_graph(text); }, text);
  expect_one_line_error([&] { (void)load_onnx_graph(cut); }, cut);
  expect_one_line_error([&] { (void)load_onnx_graph(dir.path() / "missing.onnx"); }, "missing.onnx");
  // A node that reads a value no earlier node wrote (found by the onnx fuzz target): libonnx's
  // shape inference crashed on it before its checker ran first.
  expect_one_line_error([&] { (void)load_onnx_graph(test_data("onnx/unsorted.onnx")); }, "not a valid ONNX model");
  // A fuzzed ViT export whose Reshape target holds -7.2e16: libonnx's data propagation crashed on
  // it (a null type in a later Shape), so vitdse refuses it before.
  expect_one_line_error([&] { (void)load_onnx_graph(test_data("onnx/reshape-target-below-minus-one.onnx")); },
                        "Reshape '/patch_embed/Reshape' has a target dimension of -72057594021150721");
  // torch 2.11's dynamo exporter writes IR version 10 (its weights file is not kept: the version is read first).
  expect_one_line_error([&] { (void)load_onnx_graph(test_data("onnx/vit-28x28-random.dynamo-ir10.onnx")); },
                        "ONNX IR version 10 is newer than this build's libonnx reads");
  // Commands that run a model take a card: an ONNX file says how to make one.
  const auto r = run_cli({"eval", "--model", test_data("onnx/convs.onnx")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("vitdse import"), std::string::npos) << r.err;
  expect_one_line_error([&] { (void)import_onnx_vit(load_onnx_graph(test_data("onnx/convs.onnx")), {}); },
                        "not a timm ViT export: found 3 Conv nodes");
}

// The zoo's ViT cards, exported from timm with their shapes (make_onnx_fixtures.py, graph only).
// timm's efficientvit_b1 export (tests/data/make_efficientvit_fixtures.py --onnx-graph) against
// the card's builder: the same layers in the same order with the same MACs. The export folds
// each batch norm into its conv (a bias, where the card counts the norm's pair) and names the
// Conv2d inside timm's ConvNormAct (`.conv`); LiteMLA's products are the graph's MatMuls.
TEST(OnnxWorkload, TimmsEfficientVitB1ExportIsTheCardsWorkloadLayerByLayer) {
  VITDSE_NEEDS_ONNX();
  const auto graph = onnx_workload(load_onnx_graph(test_data("onnx/efficientvit-b1.graph.onnx")));
  EXPECT_TRUE(graph.unpriced.empty()) << describe_counts(graph.unpriced);
  const Workload card(load_model_card("efficientvit-b1"));
  EXPECT_EQ(graph.workload.macs(), card.macs());
  std::vector<const Layer*> layers;
  for (const auto& l : graph.workload.layers()) {
    if (l.kind != OpKind::activation) layers.push_back(&l);  // the card does not list Hardswish
  }
  ASSERT_EQ(layers.size(), card.layers().size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer &got = *layers[i], &want = card.layers()[i];
    SCOPED_TRACE(want.name);
    std::string name = got.name;
    if (name.ends_with(".conv")) name.resize(name.size() - 5);
    if (want.name.ends_with(".kv") || want.name.ends_with(".qkv_out")) {
      EXPECT_EQ(got.kind, OpKind::matmul);
    } else {
      EXPECT_EQ(name, want.name);
    }
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.groups * got.m * got.k * got.n, want.groups * want.m * want.k * want.n);
    EXPECT_EQ(got.weighted, want.weighted);
  }
}

TEST(OnnxWorkload, TimmExportsOfTheZooHaveTheCardsCounts) {
  VITDSE_NEEDS_ONNX();
  for (const std::string name : {"vit-fmnist", "deit-tiny", "deit-small", "deit-base", "vit-base-16", "vit-large-16"}) {
    SCOPED_TRACE(name);
    const auto graph = onnx_workload(load_onnx_graph(test_data("onnx/" + name + ".graph.onnx")));
    EXPECT_TRUE(graph.unpriced.empty()) << describe_counts(graph.unpriced);
    const Workload card(load_model_card(name));
    EXPECT_EQ(graph.workload.macs(), card.macs());
    EXPECT_EQ(graph.workload.params(), card.params());
    EXPECT_EQ(graph.workload.block_count(), card.block_count());
    const auto g = per_kind(graph.workload), c = per_kind(card);
    for (const auto& [kind, want] : c) {
      SCOPED_TRACE(to_string(kind));
      ASSERT_EQ(g.count(kind), 1U);
      const auto& got = g.at(kind);
      EXPECT_EQ(got.layers, want.layers);
      EXPECT_EQ(got.macs, want.macs);
      EXPECT_EQ(got.elements, want.elements);
      EXPECT_EQ(got.exp, want.exp);
      EXPECT_EQ(got.erf, want.erf);
      EXPECT_EQ(got.div, want.div);
      EXPECT_EQ(got.sqrt, want.sqrt);
    }
    EXPECT_EQ(g.size(), c.size());
    // So the cost model prices the graph as it prices the card.
    const cost::ArchTemplate arch = cost::load_arch("lowpower-vit-28nm");
    const auto priced_graph = cost::CostModel(graph.workload, arch).evaluate(default_design(graph.workload));
    const auto priced_card = cost::CostModel(card, arch).evaluate(default_design(card));
    EXPECT_DOUBLE_EQ(priced_graph.energy.total_uJ(), priced_card.energy.total_uJ());
    EXPECT_DOUBLE_EQ(priced_graph.cycles, priced_card.cycles);
    // Layers take timm's module names, and attention's products their roles.
    for (const std::string layer :
         {"blocks.0.attn.qkv", "blocks.0.attn.qk", "blocks.0.attn.softmax", "blocks.0.attn.av", "blocks.0.attn.proj",
          "blocks.0.norm2", "blocks.0.mlp.fc1", "blocks.0.mlp.act", "blocks.0.mlp.fc2", "norm", "head"}) {
      EXPECT_GE(graph.workload.find(layer), 0) << layer;
    }
  }
}

// A timm fixture's export, imported: the card, the weights bit for bit, and the logits.
void expect_round_trip(const std::string& fixture, const std::vector<std::string>& extra) {
  SCOPED_TRACE(fixture);
  const test::TempDir dir;
  std::vector<std::string> args{"import", test_data("onnx/" + fixture + ".onnx"), "--out", dir.path().string()};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(equal)"), std::string::npos) << r.out;
  const auto card_path = (dir.path() / (fixture + ".yaml")).string();
  const ModelCard got = load_model_card(card_path), want = load_model_card(test_data(fixture + ".yaml"));
  EXPECT_EQ(got.img_size, want.img_size);
  EXPECT_EQ(got.patch_size, want.patch_size);
  EXPECT_EQ(got.in_chans, want.in_chans);
  EXPECT_EQ(got.num_classes, want.num_classes);
  EXPECT_EQ(got.embed_dim, want.embed_dim);
  EXPECT_EQ(got.depth, want.depth);
  EXPECT_EQ(got.num_heads, want.num_heads);
  EXPECT_EQ(got.mlp_ratio, want.mlp_ratio);
  EXPECT_EQ(got.qkv_bias, want.qkv_bias);
  EXPECT_EQ(got.norm_eps, want.norm_eps);
  EXPECT_EQ(got.mean, want.mean);

  const SafetensorsFile imported(dir.path() / (fixture + ".safetensors")),
      original(test_data(fixture + ".safetensors"));
  EXPECT_EQ(imported.names(), original.names());
  for (const auto& name : original.names()) {
    const Tensor a = imported.read_f32(name), b = original.read_f32(name);
    EXPECT_EQ(a.shape, b.shape) << name;
    EXPECT_EQ(a.data, b.data) << name;
  }

  const auto logits = (dir.path() / "logits.safetensors").string();
  r = run_cli({"infer", "--model", card_path, "--inputs", test_data(fixture + ".io.safetensors"), "--out", logits});
  ASSERT_EQ(r.code, 0) << r.err;
  const Tensor ours = SafetensorsFile(logits).read_f32("logits");
  // timm's logits of the same weights, and ONNX Runtime's of the exported file where the fixture
  // script had it (make_onnx_fixtures.py writes .ort.safetensors only then).
  std::vector<std::pair<std::string, Tensor>> references{
      {"timm", SafetensorsFile(test_data(fixture + ".io.safetensors")).read_f32("logits")}};
  if (const auto ort = test_data("onnx/" + fixture + ".ort.safetensors"); std::filesystem::exists(ort))
    references.emplace_back("onnx runtime", SafetensorsFile(ort).read_f32("logits"));
  for (const auto& [who, reference] : references) {
    ASSERT_EQ(ours.shape, reference.shape) << who;
    double worst = 0;
    for (std::size_t i = 0; i < ours.data.size(); ++i)
      worst = std::max(worst, std::abs(double{ours.data[i]} - reference.data[i]));
    EXPECT_LE(worst, 1e-4) << who;
  }
}

TEST(OnnxImport, TimmExportsRoundTripToCardsThatGiveTheModelsLogits) {
  VITDSE_NEEDS_ONNX();
  expect_round_trip("vit-28x28-random", {"--mean", "0.2860", "--std", "0.3530"});
  expect_round_trip("deit-tiny-2blocks-random", {});
}

// An EfficientViT export (batch norm folded into the convs by the exporter) back to a card and
// timm's keys: the card is the fixture's, and vitdse infer on it gives timm's logits.
TEST(OnnxImport, EfficientVitExportRoundTripsToTheCardAndTimmsLogits) {
  VITDSE_NEEDS_ONNX();
  const std::string fixture = "efficientvit-28x28-random";
  const test::TempDir dir;
  auto r = run_cli({"import", test_data("onnx/" + fixture + ".onnx"), "--out", dir.path().string(), "--name", fixture,
                    "--mean", "0.2860", "--std", "0.3530"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("EfficientViT, stem 8, stages 16x1 24x1 32x1 48x1, head dim 8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(equal)"), std::string::npos) << r.out;
  const auto card_path = (dir.path() / (fixture + ".yaml")).string();
  const ModelCard got = load_model_card(card_path), want = load_model_card(test_data(fixture + ".yaml"));
  ASSERT_TRUE(got.efficientvit.has_value());
  const auto &g = *got.efficientvit, &w = *want.efficientvit;
  EXPECT_EQ(got.img_size, want.img_size);
  EXPECT_EQ(got.in_chans, want.in_chans);
  EXPECT_EQ(got.num_classes, want.num_classes);
  EXPECT_EQ(got.norm_eps, want.norm_eps);
  EXPECT_EQ(g.stem_width, w.stem_width);
  EXPECT_EQ(g.stem_depth, w.stem_depth);
  EXPECT_EQ(g.head_dim, w.head_dim);
  EXPECT_EQ(g.scales, w.scales);
  EXPECT_EQ(g.head_widths, w.head_widths);
  ASSERT_EQ(g.stages.size(), w.stages.size());
  for (std::size_t i = 0; i < g.stages.size(); ++i) {
    EXPECT_EQ(g.stages[i].width, w.stages[i].width) << i;
    EXPECT_EQ(g.stages[i].depth, w.stages[i].depth) << i;
    EXPECT_EQ(g.stages[i].block, w.stages[i].block) << i;
    EXPECT_EQ(g.stages[i].expand_ratio, w.stages[i].expand_ratio) << i;
  }
  const auto logits = (dir.path() / "logits.safetensors").string();
  r = run_cli({"infer", "--model", card_path, "--inputs", test_data(fixture + ".io.safetensors"), "--out", logits});
  ASSERT_EQ(r.code, 0) << r.err;
  const Tensor ours = SafetensorsFile(logits).read_f32("logits");
  const Tensor timm = SafetensorsFile(test_data(fixture + ".io.safetensors")).read_f32("logits");
  ASSERT_EQ(ours.shape, timm.shape);
  for (std::size_t i = 0; i < ours.data.size(); ++i) EXPECT_NEAR(ours.data[i], timm.data[i], 1e-4) << i;
}

}  // namespace
}  // namespace vitdse::model

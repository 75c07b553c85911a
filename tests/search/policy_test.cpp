// Policies: parsing, variables resolved over a workload, designs of points, and the prior.
#include "vitdse/search/policy.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/resources.hpp"

namespace vitdse::search {
namespace {

const model::Workload& fmnist() {
  static const model::Workload w(model::load_model_card("vit-fmnist"));
  return w;
}

constexpr const char* kPolicy = R"(version: 1
name: t
variables:
  - {field: mult, per: layer, layers: [mlp.fc2], choices: ["exact:8s", "drum:8s:k=4"]}
  - {field: wbits, per: block, blocks: "1-2", choices: [8, 6]}
  - {field: token_keep, per: block, blocks: "0", choices: [1.0, 0.7]}
  - {field: ffn2_prune, per: all, choices: [0, 0.5]}
)";

int variable(const DesignSpace& s, const std::string& name) {
  for (std::size_t i = 0; i < s.variables().size(); ++i) {
    if (s.variables()[i].name == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no variable " << name;
  return 0;
}

TEST(Policy, VariablesTieLayersAsWritten) {
  const auto space = make_space(parse_policy(kPolicy, "t.yaml"), fmnist());
  ASSERT_EQ(space.variables().size(), 4u + 2u + 1u + 1u);
  EXPECT_EQ(space.variables()[0].name, "blocks.0.mlp.fc2 mult");
  const auto& wbits = space.variables()[static_cast<std::size_t>(variable(space, "blocks.1 wbits"))];
  EXPECT_EQ(wbits.layers.size(), 4u);                     // qkv, proj, fc1 and fc2 of block 1
  EXPECT_EQ(space.variables().back().layers.size(), 4u);  // fc2 of every block
  EXPECT_NEAR(space.log10_size(), 8 * std::log10(2.0), 1e-12);
}

TEST(Policy, APointsDesignIsTheDesignFileThatSaysTheSame) {
  const auto space = make_space(parse_policy(kPolicy, "t.yaml"), fmnist());
  Point p(space.variables().size(), 0);
  EXPECT_EQ(model::canonical_json(space.design(p), fmnist()),
            model::canonical_json(model::default_design(fmnist()), fmnist()));
  p[static_cast<std::size_t>(variable(space, "blocks.3.mlp.fc2 mult"))] = 1;
  p[static_cast<std::size_t>(variable(space, "blocks.2 wbits"))] = 1;
  p[static_cast<std::size_t>(variable(space, "blocks.0 token_keep"))] = 1;
  p[static_cast<std::size_t>(variable(space, "all ffn2_prune"))] = 1;
  const auto file = model::parse_design(R"(version: 1
defaults: {ffn2_prune: 0.5}
blocks:
  "0": {token_keep: 0.7}
  "2": {wbits: 6}
layers:
  blocks.3.mlp.fc2: {mult: "drum:8s:k=4"}
)",
                                        "d.yaml", fmnist());
  const auto d = space.design(p);
  EXPECT_EQ(model::canonical_json(d, fmnist()), model::canonical_json(file, fmnist()));
  EXPECT_EQ(d.units.size(), 2u);  // only the units the design uses
  EXPECT_THROW((void)space.design(Point(3, 0)), Error);
}

TEST(Policy, CanonicalDesignsAreDesignFiles) {
  const auto space = make_space(parse_policy(kPolicy, "t.yaml"), fmnist());
  const auto d = space.design(Point(space.variables().size(), 1));
  const auto canonical = model::canonical_json(d, fmnist());
  EXPECT_EQ(model::canonical_json(model::parse_design(canonical, "c.json", fmnist()), fmnist()), canonical);
}

TEST(Policy, BadPoliciesAreOneLineErrorsWithTheirLine) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"version: 1\nname: t\nvariables:\n  - {feild: mult, choices: [\"exact:8s\"]}\n", "field"},
      {"version: 1\nname: t\nvariables:\n  - {field: multt, choices: [\"exact:8s\"]}\n", "did you mean 'mult'"},
      {"version: 1\nname: t\nvariables:\n  - {field: mult, choices: [\"drum:8s:k=40\"]}\n", "t.yaml:4"},
      {"version: 1\nname: t\nvariables:\n  - {field: wbits, blocks: \"2-9\", choices: [8]}\n", "out of range"},
      {"version: 1\nname: t\nvariables:\n  - {field: mult, layers: [nothing], choices: [\"exact:8s\"]}\n", "no layer"},
      {"version: 1\nname: t\nvariables:\n  - {field: wbits, per: some, choices: [8]}\n", "per"},
      {"version: 1\nname: t\nvariables:\n  - {field: token_keep, choices: [0]}\n", "(0, 1]"},
      {"version: 1\nname: t\nvariables:\n  - {field: wbits, choices: [8, 8]}\n", "twice"},
      {"version: 1\nname: t\nvariables: []\n", "at least one"},
      {"version: 1\nname: t\nobjectives: [energy, top1]\nvariables:\n  - {field: wbits, choices: [8]}\n", "first"},
      {"version: 1\nname: t\nvariables:\n  - {field: mult, choices: [\"exact:6s\"]}\n", "6-bit multiplier"},
  };
  for (const auto& [text, needle] : cases) {
    try {
      (void)make_space(parse_policy(text, "t.yaml"), fmnist());
      ADD_FAILURE() << "accepted: " << text;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(needle), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(Policy, PriorPrefersSavingsAndAvoidsMeasuredSensitivity) {
  const auto& w = fmnist();
  const cost::CostModel cost(w, cost::load_arch("lowpower-vit-28nm"));
  // One multiplier for every GEMM (on a shared PE array, mixing kinds costs area and leakage).
  const std::string text = R"(version: 1
name: t
variables:
  - {field: mult, per: all, choices: ["exact:8s", "trunc:8s:t=8"]}
  - {field: wbits, per: block, choices: [8, 6]}
  - {field: ffn2_prune, per: all, choices: [0, 0.5]}
)";
  auto policy = parse_policy(text, "t.yaml");
  auto space = make_space(policy, w);
  assign_prior(space, cost, policy.prior);
  for (const auto& v : space.variables()) {
    double sum = 0;
    for (const double p : v.prior) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-12) << v.name;
    EXPECT_GT(v.prior[1], v.prior[0]) << v.name;  // every second choice is the cheaper one
  }
  // A measured drop of 30 pp for trunc t=8 in blocks.0.mlp.fc2 turns the multiplier's prior around.
  const test::TempDir dir;
  (void)dir.write("s.csv", "layer,top1_pct,top1_drop_pp\nblocks.0.mlp.fc2,60,30\nblocks.1.mlp.fc2,90,0\n");
  policy = parse_policy(text + "prior: {sensitivity: [{unit: \"trunc:8s:t=8\", file: s.csv}]}\n",
                        (dir.path() / "t.yaml").string());
  auto measured = make_space(policy, w);
  assign_prior(measured, cost, policy.prior);
  EXPECT_LT(measured.variables()[0].prior[1], measured.variables()[0].prior[0]);
  EXPECT_EQ(measured.variables()[1].prior, space.variables()[1].prior);
}

TEST(Policy, ShippedPoliciesLoadWithTheirTemplatesAndPriors) {
  EXPECT_EQ(available_resources("policies"),
            (std::vector<std::string>{"default", "efficientvit", "lowpower", "per-layer", "sc", "transaxx", "trio"}));
  for (const auto& name : available_resources("policies")) {
    const auto p = load_policy(name);
    const model::Workload w(model::load_model_card(p.model));
    auto space = make_space(p, w);
    EXPECT_GT(space.variables().size(), 0u) << name;
    assign_prior(space, cost::CostModel(w, cost::load_arch(p.arch)), p.prior);
    for (const auto& v : space.variables()) EXPECT_EQ(v.prior.size(), v.choices.size()) << name;
    if (name == "per-layer") {
      // A multiplier for every GEMM layer, weight bits for every weighted one.
      std::size_t gemms = 0, weighted = 0;
      const auto base = model::default_design(w);
      for (std::size_t i = 0; i < w.layers().size(); ++i) {
        gemms += base.layers[i].mult >= 0 ? 1 : 0;
        weighted += w.layers()[i].weighted ? 1 : 0;
      }
      EXPECT_EQ(space.variables().size(), gemms + weighted);
      EXPECT_GE(gemms, 26u);
    }
  }
}

// The EfficientViT policy's three multiplier groups cover every layer with a multiplier, once.
TEST(Policy, EfficientVitPolicyCoversEveryConvolutionAndProductOnce) {
  const model::Workload b1(model::load_model_card("efficientvit-b1"));
  const auto space = make_space(load_policy("efficientvit"), b1);
  std::vector<int> covered(b1.layers().size(), 0);
  for (const auto& v : space.variables()) {
    if (v.field != model::kMult) continue;
    for (const int i : v.layers) ++covered[static_cast<std::size_t>(i)];
  }
  for (std::size_t i = 0; i < b1.layers().size(); ++i) {
    const auto kind = b1.layers()[i].kind;
    const bool has_mult = kind == model::OpKind::conv || kind == model::OpKind::matmul || kind == model::OpKind::linear;
    EXPECT_EQ(covered[i], has_mult ? 1 : 0) << b1.layers()[i].name;
  }
}

// The Trio-ViT policy varies the recipe's fields: its last choices put MSE weights, both
// transforms and the log2 divider into the design, on the layers that take each.
TEST(Policy, TrioPolicyVariesTheRecipeOnEveryLayerThatTakesIt) {
  const auto policy = load_policy("trio");
  const model::Workload w(model::load_model_card(policy.model));
  const auto space = make_space(policy, w);
  Point point(space.variables().size(), 0);
  for (std::size_t v = 0; v < point.size(); ++v) {
    const auto field = space.variables()[v].field;
    if (field == model::kWquant || field == model::kTransform || field == model::kDivide) point[v] = 1;
  }
  const model::Design design = space.design(point);
  int transformed = 0, divided = 0;
  for (std::size_t i = 0; i < w.layers().size(); ++i) {
    const auto& c = design.layers[i];
    if (w.layers()[i].weighted) {
      EXPECT_EQ(c.wquant, model::WeightQuant::per_channel_mse) << w.layers()[i].name;
      transformed += c.transform == model::InputTransform::migrate_shift ? 1 : 0;
    }
    divided += c.divide == model::Divide::log2 ? 1 : 0;
  }
  EXPECT_GT(transformed, 20);
  EXPECT_EQ(divided, 1);  // the one attention block's qkv_out
  EXPECT_THROW((void)parse_policy("version: 1\nname: t\nmodel: efficientvit-fmnist\nvariables:\n"
                                  "  - {field: transform, per: all, choices: [none, sideways]}\n",
                                  "t.yaml"),
               Error);
}

}  // namespace
}  // namespace vitdse::search

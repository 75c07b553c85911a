// The cost model: calibration against the low-power ViT accelerator, and its properties.
#include "vitdse/cost/cost_model.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/resources.hpp"
#include "vitdse/core/yaml.hpp"

namespace vitdse::cost {

namespace {

const model::Workload& deit_small() {
  static const model::Workload w(model::load_model_card("deit-small"));
  return w;
}

CostReport price(const std::string& design_yaml, const std::string& arch = "lowpower-vit-28nm") {
  const auto& w = deit_small();
  const model::Design d =
      design_yaml.empty() ? model::default_design(w) : model::parse_design(design_yaml, "d.yaml", w);
  return CostModel(w, load_arch(arch)).evaluate(d);
}

}  // namespace

// Hsiung & Chang, arXiv 2510.14393: 28 nm, 1024 GOPS peak, 2.31 TOPS/W, 858.61 GOPS/mm^2, on
// DeiT-S at 8 bit. The peak is the paper's array and clock (an input); the energy efficiency is
// a prediction, held to the reproduction report's ±10%.
TEST(CostModel, CalibratedToTheLowPowerAcceleratorWithinTheReportsTenPercent) {
  const CostReport r = price("");
  const ArchTemplate a = load_arch("lowpower-vit-28nm");
  EXPECT_EQ(a.pes(), 512);  // the paper's array
  EXPECT_DOUBLE_EQ(r.peak_gops, 2.0 * static_cast<double>(a.pes()) * a.clock_GHz);
  EXPECT_NEAR(r.tops_per_W, 2.31, 0.1 * 2.31);
}

// The area efficiency misses the paper's by more than 10% (flops priced at their cell area;
// results/lowpower measures why): pinned at its measured 1005 GOPS/mm^2, so a change shows.
TEST(CostModel, LowPowerAreaEfficiencyIsAKnownMissAtItsMeasuredValue) {
  const CostReport r = price("");
  EXPECT_NEAR(r.peak_gops_per_mm2, 1005.1, 5.0);
  EXPECT_GT(r.peak_gops_per_mm2 / 858.61 - 1.0, 0.10);
}

TEST(CostModel, BreakdownsAddUpAndUnitsAgree) {
  const CostReport r = price("");
  const auto& e = r.energy;
  EXPECT_DOUBLE_EQ(e.total_uJ(), e.mac_uJ + e.nonlinear_uJ + e.sram_uJ + e.static_uJ + e.dram_uJ);
  EXPECT_GT(e.mac_uJ, 0);
  EXPECT_GT(e.nonlinear_uJ, 0);
  EXPECT_GT(e.sram_uJ, 0);
  EXPECT_GT(e.dram_uJ, 0);  // DeiT-S's 22 MB of weights cannot stay on 232 KB
  EXPECT_FALSE(r.weights_resident);
  EXPECT_DOUBLE_EQ(r.ops, 2 * r.macs);
  EXPECT_NEAR(r.latency_ms, r.cycles / 1e9 * 1e3, 1e-9);
  EXPECT_NEAR(r.fps, 1e3 / r.latency_ms, 1e-9);
  EXPECT_NEAR(r.chip_power_mW, e.chip_uJ() * r.fps * 1e-3, 1e-9);
  EXPECT_NEAR(r.tops_per_W, r.ops / (e.chip_uJ() * 1e-6) / 1e12, 1e-12);
  EXPECT_LE(r.gops, r.peak_gops);
  EXPECT_NEAR(r.adp_mm2_ms, r.area.total_mm2() * r.latency_ms, 1e-12);
}

TEST(CostModel, PruningLowersEnergyAndLatency) {
  const CostReport base = price("");
  const CostReport tokens = price("version: 1\nblocks: {\"3\": {token_keep: 0.7}, \"6\": {token_keep: 0.7}}\n");
  const CostReport ffn2 = price("version: 1\ndefaults: {ffn2_prune: 0.5, ffn2_mode: static}\n");
  const CostReport relu = price("version: 1\ndefaults: {gelu: \"gelu:relu\"}\n");
  for (const CostReport* r : {&tokens, &ffn2}) {
    EXPECT_LT(r->macs, base.macs);
    EXPECT_LT(r->energy.total_uJ(), base.energy.total_uJ());
    EXPECT_LT(r->latency_ms, base.latency_ms);
    EXPECT_DOUBLE_EQ(r->area.total_mm2(), base.area.total_mm2());
  }
  EXPECT_LT(relu.energy.nonlinear_uJ, base.energy.nonlinear_uJ);
}

// Dynamic FFN2 pruning keeps a different set of hidden units for each token, so fc2 still needs
// every weight; static pruning removes the same rows for all tokens, and their weights with them.
TEST(CostModel, DynamicFfn2PruningSavesMacsButStoresAndFetchesEveryWeight) {
  const CostReport base = price("");
  const CostReport dynamic = price("version: 1\ndefaults: {ffn2_prune: 0.5}\n");
  const CostReport fixed = price("version: 1\ndefaults: {ffn2_prune: 0.5, ffn2_mode: static}\n");
  // DeiT-S: 12 fc2 layers of 197 tokens x 1536 x 384, half of the 1536 skipped.
  EXPECT_DOUBLE_EQ(base.macs - dynamic.macs, 12.0 * 197 * 768 * 384);
  EXPECT_DOUBLE_EQ(dynamic.macs, fixed.macs);
  // Its weights never fit on chip: every inference fetches them all, less static's pruned rows.
  EXPECT_DOUBLE_EQ(dynamic.energy.dram_uJ, base.energy.dram_uJ);
  EXPECT_LT(fixed.energy.dram_uJ, base.energy.dram_uJ);
  // The top-k selector: energy on the nonlinear lanes and a place in each lane.
  EXPECT_GT(dynamic.energy.nonlinear_uJ, fixed.energy.nonlinear_uJ);
  EXPECT_GT(dynamic.area.nonlinear_mm2, fixed.area.nonlinear_mm2);
  EXPECT_DOUBLE_EQ(fixed.area.nonlinear_mm2, base.area.nonlinear_mm2);
  EXPECT_GT(dynamic.energy.total_uJ(), fixed.energy.total_uJ());
  EXPECT_LT(dynamic.energy.total_uJ(), base.energy.total_uJ());
  // One token row at a time (m = 1), a token's skipped units are skipped cycles too. A tile of 16
  // tokens needs the union of their units, 1536 of 1536 here: no cycle is saved.
  EXPECT_LT(dynamic.latency_ms, base.latency_ms);
  test::TempDir dir;
  auto yaml = load_yaml_file(resolve_resource("lowpower-vit-28nm", "models/arch", "template")).root;
  yaml["array"]["m"] = 16;
  yaml["dram"]["GBps"] = 1e6;  // so that compute, not DeiT-S's weight traffic, sets the time
  yaml["name"] = "tiles-of-16";
  const auto tiles = dir.write("tiles.yaml", YAML::Dump(yaml));
  const CostReport tiled_base = price("", tiles);
  const CostReport tiled = price("version: 1\ndefaults: {ffn2_prune: 0.5}\n", tiles);
  const CostReport tiled_static = price("version: 1\ndefaults: {ffn2_prune: 0.5, ffn2_mode: static}\n", tiles);
  EXPECT_GT(tiled.latency_ms, tiled_base.latency_ms);  // all the cycles, and the selector's
  EXPECT_LT(tiled_static.latency_ms, tiled_base.latency_ms);
}

TEST(CostModel, DynamicFfn2PruningIsResidentOnlyWhenAllOfFc2Fits) {
  // vit-fmnist's weight matrices, from its card: per block qkv 64x192, proj 64x64, fc1 64x256
  // and fc2 256x64; the patch embedding 16x64 and the head 64x10. At 8 bits in block 0 and 4
  // elsewhere that is 989,696 bits, over the 104 KiB (851,968-bit) weight buffer; without half
  // of each fc2's rows it is 825,856, under it.
  const double block = 64 * 192 + 64 * 64 + 64 * 256 + 256 * 64, outside = 16 * 64 + 64 * 10;
  const double full = block * 8 + 3 * block * 4 + outside * 4;
  const double pruned = full - 128 * 64 * 8 - 3 * 128 * 64 * 4;
  ASSERT_DOUBLE_EQ(full, 989696);
  ASSERT_DOUBLE_EQ(pruned, 825856);
  const model::Workload w(model::load_model_card("vit-fmnist"));
  const CostModel m(w, load_arch("lowpower-vit-28nm"));
  ASSERT_DOUBLE_EQ(m.arch().capacity_bits(Buffer::Holds::weights), 104 * 1024 * 8);
  const std::string design = "version: 1\ndefaults: {wbits: 4, ffn2_prune: 0.5}\nblocks: {\"0\": {wbits: 8}}\n";
  const std::string fixed =
      "version: 1\ndefaults: {wbits: 4, ffn2_prune: 0.5, ffn2_mode: static}\n"
      "blocks: {\"0\": {wbits: 8}}\n";
  const CostReport d = m.evaluate(model::parse_design(design, "d.yaml", w));
  const CostReport s = m.evaluate(model::parse_design(fixed, "s.yaml", w));
  EXPECT_FALSE(d.weights_resident);
  EXPECT_GT(d.energy.dram_uJ, 0);
  EXPECT_TRUE(s.weights_resident);
  EXPECT_EQ(s.energy.dram_uJ, 0);
}

TEST(CostModel, NonlinearChoicesArePriced) {
  const CostReport exact = price("");
  const CostReport cheap = price("version: 1\ndefaults: {softmax: \"softmax:shiftmax\", gelu: \"gelu:ibert\"}\n");
  EXPECT_LT(cheap.energy.nonlinear_uJ, exact.energy.nonlinear_uJ);
  EXPECT_LT(cheap.latency_ms, exact.latency_ms);  // fewer lane cycles per element
  EXPECT_GT(cheap.area.nonlinear_mm2, 0);
  EXPECT_DOUBLE_EQ(cheap.energy.mac_uJ, exact.energy.mac_uJ);
}

TEST(CostModel, NarrowerOperandsMoveFewerBits) {
  const CostReport w8 = price("");
  const CostReport w4 = price("version: 1\ndefaults: {wbits: 4, abits: 4}\n");
  EXPECT_LT(w4.energy.sram_uJ, w8.energy.sram_uJ);
  EXPECT_LT(w4.energy.dram_uJ, w8.energy.dram_uJ);
  EXPECT_DOUBLE_EQ(w4.energy.mac_uJ, w8.energy.mac_uJ);  // the same 8-bit multipliers
  const CostReport m4 = price("version: 1\ndefaults: {mult: \"exact:4s\", wbits: 4, abits: 4}\n");
  EXPECT_LT(m4.energy.mac_uJ, w4.energy.mac_uJ);
  EXPECT_LT(m4.area.pe_array_mm2, w4.area.pe_array_mm2);
}

TEST(CostModel, SharedArrayPaysAreaForEveryKind) {
  const std::string mixed = "version: 1\nblocks: {\"0-5\": {mult: \"exact:6s\", wbits: 6, abits: 6}}\n";
  const CostReport one = price("");
  const CostReport shared = price(mixed);
  EXPECT_GT(shared.area.pe_array_mm2, one.area.pe_array_mm2);  // every PE holds 8s and 6s

  test::TempDir dir;
  auto yaml = load_yaml_file(resolve_resource("lowpower-vit-28nm", "models/arch", "template")).root;
  yaml["mapping"] = "pipelined";
  yaml["name"] = "pipelined";
  const auto path = dir.write("pipelined.yaml", YAML::Dump(yaml));
  const CostReport piped = price(mixed, path);
  EXPECT_LT(piped.area.pe_array_mm2, shared.area.pe_array_mm2);  // each PE holds one kind
  EXPECT_GT(piped.fps, 0);
  EXPECT_GE(piped.latency_ms, 1e3 / piped.fps - 1e-9);  // engines overlap frames
}

TEST(CostModel, WeightsThatFitStayOnChip) {
  // vit-fmnist has 205K weights: 1.64 Mbit at 8 bit overflows the 104 KiB weight buffer,
  // 0.82 Mbit at 4 bit fits, so no weight is fetched from DRAM per inference.
  const model::Workload w(model::load_model_card("vit-fmnist"));
  const CostModel m(w, load_arch("lowpower-vit-28nm"));
  const CostReport w8 = m.evaluate(model::default_design(w));
  const CostReport w4 = m.evaluate(model::parse_design("version: 1\ndefaults: {wbits: 4}\n", "d.yaml", w));
  EXPECT_FALSE(w8.weights_resident);
  EXPECT_GT(w8.energy.dram_uJ, 0);
  EXPECT_TRUE(w4.weights_resident);
  EXPECT_EQ(w4.energy.dram_uJ, 0);
}

TEST(CostModel, ShrinkingTheNodeLowersEnergyAndArea) {
  const auto& w = deit_small();
  const auto d = model::default_design(w);
  ArchTemplate a = load_arch("lowpower-vit-28nm");
  double energy = 1e300, area = 1e300;
  for (double node : {45.0, 32.0, 28.0, 22.0, 16.0, 7.0}) {
    a.node_nm = node;
    const CostReport r = CostModel(w, a).evaluate(d);
    EXPECT_LT(r.energy.chip_uJ() - r.energy.static_uJ, energy) << node;
    EXPECT_LT(r.area.total_mm2(), area) << node;
    energy = r.energy.chip_uJ() - r.energy.static_uJ;
    area = r.area.total_mm2();
  }
}

TEST(CostModel, EfficientVitPrices) {
  const model::Workload w(model::load_model_card("efficientvit-b1"));
  const CostReport r = CostModel(w, load_arch("lowpower-vit-28nm")).evaluate(model::default_design(w));
  EXPECT_GT(r.fps, 0);
  EXPECT_NEAR(r.macs / 1e9, 0.519, 0.005);
}

TEST(ArchTemplate, BadTemplatesFailClearly) {
  test::TempDir dir;
  const std::string good = R"(version: 1
name: t
node_nm: 28
clock_GHz: 1
array: {m: 1, k: 8, n: 64}
buffers:
  - {name: w, holds: weights, kib: 64}
  - {name: a, holds: activations, kib: 64}
dram: {GBps: 10}
)";
  EXPECT_NO_THROW(load_arch(dir.write("good.yaml", good)));
  const auto fails = [&](const std::string& text, const std::string& expect) {
    try {
      load_arch(dir.write("bad.yaml", text));
      ADD_FAILURE() << "no error for:\n" << text;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << e.what();
    }
  };
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    return t.replace(t.find(from), from.size(), to);
  };
  fails(edit("k: 8", "k: 0"), "'k' = 0 is out of range");
  fails(edit("clock_GHz: 1", "clock_GHz: -1"), "'clock_GHz' = -1 is out of range");
  fails(edit("kib: 64}\n  - {name: a", "kib: -4}\n  - {name: a"), "'kib' = -4 is out of range");
  fails(edit("dram:", "dramm:"), "lacks required key 'dram'; is 'dramm' a typo of it?");
  fails(edit("holds: weights", "holds: everything"), "'holds' = 'everything' is not one of");
  fails(edit("holds: weights", "holds: activations"), "no buffer holding weights");
  fails(edit("node_nm: 28", "node_nm: 28\nmapping: spread"), "'mapping' = 'spread'");
  fails(edit("array: {m: 1, k: 8, n: 64}", "array: {m: 1, k: 8, n: 64"), "bad.yaml:");
  fails(edit("n: 64}", "n: 64, grouped: diagonal}"), "'grouped' = 'diagonal' is not one of: serial, parallel");
  fails(edit("node_nm: 28", "node_nm: 28\ntarget: gpu"), "'target' = 'gpu' is not one of: asic, fpga");
  fails(edit("node_nm: 28", "node_nm: 28\ntarget: fpga"), "lacks required key 'fpga'");
  const std::string device = "fpga: {device: d, dsp: 100, bram36: 10, luts: 1000, ffs: 2000, power_W: 1}";
  EXPECT_NO_THROW(load_arch(dir.write("fpga.yaml", edit("node_nm: 28", "node_nm: 28\ntarget: fpga\n" + device))));
  fails(edit("node_nm: 28", "node_nm: 28\n" + device), "fpga");  // a device on a chip template
  fails(edit("node_nm: 28", "node_nm: 28\ntarget: fpga\n" + device.substr(0, device.find(", power_W")) + "}"),
        "lacks required key 'power_W'");
  fails(edit("node_nm: 28",
             "node_nm: 28\ntarget: fpga\n" + std::string(device).replace(device.find("dsp: 100"), 8, "dsp: 0")),
        "'dsp' = 0 is out of range");
  try {
    load_arch("lowpower");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("available: edge-256-45nm, efficientvit-zcu102, lowpower-vit-28nm"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace vitdse::cost

namespace vitdse::cost {
namespace {

TEST(CostModel, PerLayerSharesSumToTheTotalsOnEveryKindOfTemplate) {
  const model::Workload vit(model::load_model_card("vit-fmnist"));
  const model::Workload& deit = deit_small();
  // Mixed units, pruning and 4-bit weights (resident on chip), on the shared, pipelined and FPGA templates.
  const std::string mixed =
      "version: 1\ndefaults: {mult: \"drum:8s:k=4\"}\nblocks: {\"1\": {mult: \"exact:8s\", wbits: 4, token_keep: 0.8, "
      "ffn2_prune: 0.5, gelu: \"gelu:relu\"}}\n";
  struct Case {
    const model::Workload& workload;
    std::string arch;
  };
  for (const Case& c : {Case{deit, "lowpower-vit-28nm"}, Case{vit, "lowpower-vit-28nm-pipelined"},
                        Case{deit, "efficientvit-zcu102"}, Case{vit, "edge-256-45nm"}}) {
    for (const std::string& yaml : {std::string(), mixed}) {
      const model::Design d =
          yaml.empty() ? model::default_design(c.workload) : model::parse_design(yaml, "d.yaml", c.workload);
      const CostModel m(c.workload, load_arch(c.arch));
      std::vector<LayerCost> layers;
      const CostReport r = m.evaluate(d, layers);
      const std::string what = c.arch + (yaml.empty() ? ", default design" : ", mixed design");
      ASSERT_EQ(layers.size(), c.workload.layers().size()) << what;
      const CostReport alone = m.evaluate(d);
      EXPECT_DOUBLE_EQ(alone.energy.total_uJ(), r.energy.total_uJ()) << what << ": the same report without layers";
      const LayerCost s = total_of(layers);
      const auto near = [](double total) { return 1e-9 * std::abs(total) + 1e-12; };
      EXPECT_NEAR(s.macs, r.macs, near(r.macs)) << what;
      EXPECT_NEAR(s.cycles, r.cycles, near(r.cycles)) << what;
      EXPECT_NEAR(s.energy.mac_uJ, r.energy.mac_uJ, near(r.energy.mac_uJ)) << what;
      EXPECT_NEAR(s.energy.nonlinear_uJ, r.energy.nonlinear_uJ, near(r.energy.nonlinear_uJ)) << what;
      EXPECT_NEAR(s.energy.sram_uJ, r.energy.sram_uJ, near(r.energy.sram_uJ)) << what;
      EXPECT_NEAR(s.energy.dram_uJ, r.energy.dram_uJ, near(r.energy.dram_uJ)) << what;
      EXPECT_NEAR(s.energy.static_uJ, r.energy.static_uJ, near(r.energy.static_uJ)) << what;
      EXPECT_NEAR(s.energy.device_uJ, r.energy.device_uJ, near(r.energy.device_uJ)) << what;
      EXPECT_NEAR(s.energy.total_uJ(), r.energy.total_uJ(), near(r.energy.total_uJ())) << what;
      for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& l = layers[i];
        EXPECT_GE(l.utilisation, 0) << what << " " << c.workload.layers()[i].name;
        EXPECT_LE(l.utilisation, 1 + 1e-12) << what << " " << c.workload.layers()[i].name;
        if (l.macs > 0) {
          EXPECT_EQ(l.unit, d.units[static_cast<std::size_t>(d.layers[i].mult)]) << what;
          EXPECT_GT(l.utilisation, 0) << what;
        }
      }
    }
  }
}

}  // namespace
}  // namespace vitdse::cost

namespace vitdse::cost {
namespace {

// TransAxx's objective, counted independently: each GEMM layer's MACs times its multiplier's
// priced power over the exact 8-bit multiplier's, over all MACs.
TEST(CostModel, MultPowerIsTheMacWeightedRelativeMultiplierPower) {
  const model::Workload w(model::load_model_card("vit-fmnist"));
  const CostModel m(w, load_arch("lowpower-vit-28nm-pipelined"));
  EXPECT_DOUBLE_EQ(m.evaluate(model::default_design(w)).mult_power, 1.0);
  const model::Design d = model::parse_design(
      "version: 1\nblocks: {\"1\": {mult: \"drum:8s:k=4\"}, \"2\": {mult: \"trunc:8s:t=6\"}}\n", "d.yaml", w);
  const auto schedule = w.token_schedule(d.keep_after_block(w));
  const double exact = m.pe_cost("exact:8s").mult.power_mW;
  double all = 0, weighted = 0;
  for (std::size_t i = 0; i < w.layers().size(); ++i) {
    if (d.layers[i].mult < 0) continue;
    const double macs = model::design_counts(w, d, i, schedule).macs;
    all += macs;
    weighted += macs * m.pe_cost(d.units[static_cast<std::size_t>(d.layers[i].mult)]).mult.power_mW / exact;
  }
  const double expected = weighted / all;
  EXPECT_LT(expected, 1.0);
  EXPECT_NEAR(m.evaluate(d).mult_power, expected, 1e-12);
}

}  // namespace
}  // namespace vitdse::cost

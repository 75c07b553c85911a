// vitdse reproduce: each analytical figure against the paper and an independent computation,
// the report's files, and the command's errors.
#include "vitdse/report/reproduce.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/cost/cost_model.hpp"

namespace vitdse::report {
namespace {

bool have_fashion_mnist() { return std::filesystem::exists(test::kFashionMnist); }

/// The fast form on a sample of images: the analytical rows are the same, the functional ones
/// check the tables' structure, not their accuracy.
ReproduceOptions quick() {
  ReproduceOptions o;
  o.fast = true;
  o.images = test::kSanitized ? 40 : 100;
  o.finetune_images = 128;  // one optimiser step of a whole batch
  return o;
}

/// Built once per process: ctest runs each Reproduce<Paper> suite as one test (tests/CMakeLists.txt).
const PaperReport& lowpower() {
  static const PaperReport r = reproduce_lowpower(quick());
  return r;
}

const PaperReport& ascend() {
  static const PaperReport r = reproduce_ascend(quick());
  return r;
}

const PaperReport& trio() {
  static const PaperReport r = reproduce_trio(quick());
  return r;
}

std::map<std::string, Comparison> comparisons(const PaperReport& report, const std::string& table) {
  std::map<std::string, Comparison> out;
  for (const auto& t : report.tables) {
    if (t.name != table) continue;
    for (const auto& c : t.comparisons) out[c.figure] = c;
  }
  return out;
}

TEST(Comparison, OnlyPredictionsAreScored) {
  const auto c = prediction("x", "%", 50.0, 54.0, 0.10, "");
  EXPECT_DOUBLE_EQ(*c.ratio(), 1.08);
  EXPECT_TRUE(c.scored());
  EXPECT_TRUE(c.within());
  EXPECT_FALSE(prediction("x", "%", 50.0, 56.0, 0.10, "").within());
  EXPECT_FALSE((Comparison{"x", "%", std::nullopt, 56.0, 0.10, "", Role::prediction}).scored());  // no paper figure
  // An input agrees by construction, a derived row repeats another: neither counts, even far off.
  for (const auto& row :
       {input("x", "%", 50.0, 90.0, ""), derived("x", "%", 50.0, 90.0, ""), context("x", "%", 50.0, 90.0, "")}) {
    EXPECT_FALSE(row.scored()) << role_name(row.role);
    EXPECT_TRUE(row.within());
    EXPECT_FALSE(row.tolerance);
  }
  // A tolerance on a row that is not a prediction would be silently unscored: an error instead.
  EXPECT_THROW((void)comparison_table({Comparison{"x", "%", 1.0, 1.0, 0.1, "", Role::context}}), Error);
  PaperReport report;
  report.tables.resize(2);
  report.tables[0].comparisons = {prediction("a", "%", 1, 1, 0.1, ""), prediction("b", "%", 1, 2, 0.1, "")};
  report.tables[1].comparisons = {input("c", "%", 1, 1, ""), prediction("d", "%", 1, 1.05, 0.1, "")};
  const auto n = count_predictions(report);
  EXPECT_EQ(n.scored, 3);
  EXPECT_EQ(n.within, 2);
}

TEST(ReproduceLowpower, FfnShareIsTheLayerShapesArithmetic) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto rows = comparisons(lowpower(), "ffn-share");
  // 8ND^2 / (12ND^2 + 2N^2D) at N = 197, computed here; the paper rounds to whole percent.
  for (const auto& [name, d, paper] : {std::tuple{"deit-tiny", 192.0, 57.0}, std::tuple{"deit-small", 384.0, 61.0},
                                       std::tuple{"deit-base", 768.0, 64.0}}) {
    const double n = 197, share = 100.0 * 8 * n * d * d / (12 * n * d * d + 2 * n * n * d);
    const auto& c = rows.at(std::string(name) + " FFN share");
    EXPECT_NEAR(c.vitdse, share, 1e-9) << name;
    EXPECT_EQ(*c.paper, paper);
    EXPECT_TRUE(c.within()) << name;
  }
}

TEST(ReproduceLowpower, OperationCountsMatchPublishedOnesAndTheRemovedShareMissesAtItsMeasuredValue) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto rows = comparisons(lowpower(), "ops-reduction");
  EXPECT_TRUE(rows.at("DeiT-S MACs").within());
  EXPECT_TRUE(rows.at("DeiT-S with DynamicViT's pruning (keep 0.7 after blocks 3, 6, 9)").within());
  EXPECT_NEAR(rows.at("FFN2 weights skipped").vitdse, 59.3, 0.1);
  // With DynamicViT's schedule the paper's 61.5% is not reached (48.5%): outside ±10%, and the
  // report solves for the keep ratio that would reach it.
  const auto& removed = rows.at("operations removed: DynamicViT schedule + ReLU + FFN2 pruning");
  EXPECT_NEAR(removed.vitdse, 48.5, 0.5);
  EXPECT_FALSE(removed.within());
  const double keep = rows.at("keep ratio at blocks 3, 6, 9 that removes 61.5% with this FFN2 pruning").vitdse;
  EXPECT_GT(keep, 0.3);
  EXPECT_LT(keep, 0.7);  // harder than DynamicViT's 0.7, as the explanation says
}

TEST(ReproduceLowpower, HardwareFiguresOfTheTemplateWithTheAreaMissAtItsMeasuredValue) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto rows = comparisons(lowpower(), "hardware");
  // The peak is the paper's array and clock: an input, not a result.
  EXPECT_EQ(rows.at("peak throughput").role, Role::input);
  const auto arch = cost::load_arch("lowpower-vit-28nm");
  EXPECT_DOUBLE_EQ(rows.at("peak throughput").vitdse, 2.0 * static_cast<double>(arch.pes()) * arch.clock_GHz);
  const auto& efficiency = rows.at("energy efficiency");
  EXPECT_EQ(efficiency.role, Role::prediction);
  EXPECT_TRUE(efficiency.within()) << *efficiency.ratio();
  // Power at peak is the efficiency row again, so it is derived and not counted twice.
  const auto& power = rows.at("power at peak throughput");
  EXPECT_EQ(power.role, Role::derived);
  EXPECT_NEAR(power.vitdse, 1024.0 / efficiency.vitdse, 1e-9);
  // The area efficiency is a known miss, pinned at its measured ratio (1.171): flops are priced
  // at their cell area. Priced like gates the same chip is within 10%, the report's explanation.
  const auto& area = rows.at("peak area efficiency");
  EXPECT_EQ(area.role, Role::prediction);
  EXPECT_FALSE(area.within());
  EXPECT_NEAR(*area.ratio(), 1.171, 0.01);
  EXPECT_EQ(rows.at("core area").role, Role::derived);
  for (const char* row : {"core area", "peak area efficiency"}) {
    const auto& as_gates = rows.at(std::string(row) + ", flip-flops priced as gates");
    EXPECT_EQ(as_gates.role, Role::context);
    EXPECT_LT(std::abs(*as_gates.ratio() - 1.0), 0.10) << row;
  }
}

// Known answers: area is cell area over utilisation, so utilisation at 0.8x and 1.2x moves area
// by 1/0.8 - 1 and 1/1.2 - 1; static power and DRAM bandwidth move no area, SRAM banking no latency.
TEST(ReproduceLowpower, EachAssumptionMovesOnlyWhatItPrices) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const Table* table = nullptr;
  for (const auto& t : lowpower().tables) {
    if (t.name == "assumptions") table = &t.table;
  }
  ASSERT_NE(table, nullptr);
  std::map<std::string, std::vector<double>> rows;  // TOPS/W -, +; area -, +; latency -, +
  for (const auto& row : table->cells()) {
    auto& r = rows[std::get<std::string>(row[0])];
    for (std::size_t i = 4; i < 10; ++i) r.push_back(std::get<double>(row[i]));
  }
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_NEAR(rows.at("placement utilisation")[2], 25.0, 1e-9);
  EXPECT_NEAR(rows.at("placement utilisation")[3], -100.0 / 6, 1e-9);
  for (const char* name : {"static power density", "DRAM bandwidth", "SRAM bank size"}) {
    EXPECT_DOUBLE_EQ(rows.at(name)[2], 0.0) << name;
    EXPECT_DOUBLE_EQ(rows.at(name)[3], 0.0) << name;
  }
  EXPECT_DOUBLE_EQ(rows.at("static power density")[4], 0.0);
  EXPECT_DOUBLE_EQ(rows.at("SRAM bank size")[4], 0.0);
  EXPECT_GT(rows.at("static power density")[0], 0.0);  // less leakage, more TOPS/W
  EXPECT_GT(rows.at("SRAM bank size")[0], 0.0);        // smaller banks, cheaper reads
  EXPECT_GT(rows.at("nonlinear lanes")[4], 0.0);       // fewer lanes, slower
}

TEST(ReproduceLowpower, PruningDesignsAreAlsoScoredAfterFineTuning) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  for (const auto& t : lowpower().tables) {
    if (t.name != "accuracy") continue;
    ASSERT_EQ(t.table.columns()[3].key, "top1_finetuned_pct");
    ASSERT_EQ(t.table.rows(), 5u);
    for (std::size_t row = 0; row < 5; ++row) {  // float and unpruned W8A8 have nothing to recover
      EXPECT_EQ(std::holds_alternative<double>(t.table.cells()[row][3]), row >= 2) << row;
    }
  }
}

TEST(ReproduceAscend, HeadlineFiguresAggregateThePerLengthTables) {
  const auto& report = ascend();
  const auto rows = comparisons(report, "summary");
  ASSERT_EQ(rows.size(), 4u);
  // The GELU ADP advantage is within ±30% of the paper's 5.29x; the rest are not, and the
  // summary says which and why.
  EXPECT_TRUE(rows.at("GELU ADP reduction against SC baselines").within());
  std::string method;
  for (const auto& t : report.tables) {
    if (t.name == "summary") method = t.method;
  }
  for (const auto& [figure, c] : rows) {
    if (!c.within()) {
      EXPECT_NE(method.find(figure), std::string::npos) << figure;
    }
  }
  // The accuracy table ends with ASCEND's two fine-tuning stages at W4A4.
  for (const auto& t : report.tables) {
    if (t.name != "accuracy") continue;
    ASSERT_EQ(t.table.rows(), 12u);
    EXPECT_EQ(std::get<std::string>(t.table.cells()[10][2]), "stage 1: progressive quantisation");
    EXPECT_EQ(std::get<std::string>(t.table.cells()[11][2]), "stage 2: softmax-aware fine-tuning");
    for (std::size_t row = 1; row < 12; ++row) EXPECT_TRUE(std::holds_alternative<double>(t.table.cells()[row][3]));
  }
  // Every SC GELU length: vitdse's block is more accurate than both baselines.
  for (const auto& t : report.tables) {
    if (t.name != "gelu") continue;
    ASSERT_EQ(t.table.rows(), 5u);
    for (const auto& row : t.table.cells()) EXPECT_GT(std::get<double>(row[4]), 0.0);
  }
}

TEST(ReproduceTrio, WorkloadMacsMatchPublishedCounts) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto& report = trio();
  const auto rows = comparisons(report, "gmacs");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& [figure, c] : rows) EXPECT_TRUE(c.within()) << figure << ": " << *c.ratio();
  // The PTQ ladders, on the real EfficientViT and on the stand-in ViT: seven schemes each at four
  // bit widths, and the EfficientViT's plot of top-1 against bits, one line per recipe.
  ASSERT_GE(report.tables.size(), 2u);
  EXPECT_EQ(report.tables[0].name, "ptq-efficientvit");
  EXPECT_EQ(report.tables[1].name, "ptq");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(report.tables[static_cast<std::size_t>(i)].table.rows(), 7u);
    EXPECT_EQ(report.tables[static_cast<std::size_t>(i)].table.columns().size(), 5u);
  }
  ASSERT_EQ(report.plots.size(), 1u);
  EXPECT_EQ(report.plots[0].series.size(), 7u);
  for (const auto& series : report.plots[0].series) {
    EXPECT_EQ(series.x, (std::vector<double>{4, 6, 8}));
    for (const double y : series.y) EXPECT_TRUE(y >= 0 && y <= 100) << series.name;
  }
}

// The ZCU102 template's peak is context (the paper gives an achieved figure, never a peak); the
// achieved throughput is the prediction, a known miss pinned at its measured ratio (0.639), and
// the GOPS/W row repeats it through the paper's own power.
TEST(ReproduceTrio, FpgaThroughputMissAtItsMeasuredValueAndPeakAsContext) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto fpga = comparisons(trio(), "fpga-checks");
  ASSERT_EQ(fpga.size(), 3u);
  const auto& peak = fpga.at("peak throughput");
  EXPECT_EQ(peak.role, Role::context);
  EXPECT_FALSE(peak.paper);
  const auto zcu102 = cost::load_arch("efficientvit-zcu102");
  EXPECT_NEAR(peak.vitdse, 2.0 * static_cast<double>(zcu102.pes()) * zcu102.clock_GHz, 1e-9);
  const auto& achieved = fpga.at("throughput on EfficientViT-B1");
  EXPECT_EQ(achieved.role, Role::prediction);
  EXPECT_FALSE(achieved.within());
  EXPECT_NEAR(*achieved.ratio(), 0.639, 0.01);
  const auto& efficiency = fpga.at("energy efficiency on EfficientViT-B1");
  EXPECT_EQ(efficiency.role, Role::derived);
  EXPECT_NEAR(*efficiency.ratio(), *achieved.ratio(), 1e-3);
}

TEST(ReproduceTransaxx, RelativePowerIsTransaxxsFormula) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto report = reproduce_transaxx(quick());
  ASSERT_EQ(report.tables.size(), 3u);
  const auto& uniform = report.tables[0].table;
  ASSERT_EQ(uniform.rows(), 7u);
  // Each uniform assignment is also scored after approximation-aware fine-tuning.
  ASSERT_EQ(uniform.columns().size(), 6u);
  EXPECT_EQ(uniform.columns()[5].key, "top1_finetuned_pct");
  for (const auto& row : uniform.cells()) EXPECT_TRUE(std::holds_alternative<double>(row[5]));
  // Independently: linear layers (not qk, av or head) on the unit, weighted by their MACs.
  const model::Workload w(model::load_model_card("vit-fmnist"));
  const cost::CostModel model(w, cost::load_arch("lowpower-vit-28nm-pipelined"));
  const auto d = model::default_design(w);
  const auto schedule = w.token_schedule(d.keep_after_block(w));
  double linear = 0, all = 0;
  for (std::size_t i = 0; i < w.layers().size(); ++i) {
    if (d.layers[i].mult < 0) continue;
    const auto& name = w.layers()[i].name;
    const double macs = model::design_counts(w, d, i, schedule).macs;
    all += macs;
    if (!name.ends_with("attn.qk") && !name.ends_with("attn.av") && name != "head") linear += macs;
  }
  const double exact = model.pe_cost("exact:8s").mult.power_mW;
  for (const auto& row : uniform.cells()) {
    const auto unit = std::get<std::string>(row[0]);
    const double expected = (linear * model.pe_cost(unit).mult.power_mW / exact + (all - linear)) / all;
    EXPECT_NEAR(std::get<double>(row[1]), expected, 1e-12) << unit;
  }
  EXPECT_EQ(std::get<double>(uniform.cells()[0][1]), 1.0);  // exact:8s
  EXPECT_EQ(report.tables[2].table.rows(), 7u);             // one equal-power row per uniform unit
}

// A summary may not call the paper reproduced exactly while one of its own tables marks a miss.
TEST(ReproduceLowpower, SummaryClaimsNoExactMatchThatItsTablesMiss) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  bool missed = false;
  for (const auto& t : lowpower().tables) {
    for (const auto& c : t.comparisons) missed = missed || !c.within();
  }
  ASSERT_TRUE(missed) << "the pruned-operations figure is a known miss";
  EXPECT_EQ(lowpower().summary.find("exactly"), std::string::npos) << lowpower().summary;
}

TEST(ReproduceLowpower, WritesAReportWithEveryTableAndPlot) {
  if (!have_fashion_mnist()) GTEST_SKIP() << "no dataset-fashion-mnist";
  const test::TempDir dir;
  const auto files = write_paper_report(lowpower(), dir.path() / "lowpower", "vitdse reproduce lowpower --fast");
  const std::string readme = vitdse::test::read_file(dir.path() / "lowpower" / "README.md");
  EXPECT_EQ(files.front(), dir.path() / "lowpower" / "README.md");
  for (const auto& t : lowpower().tables) {
    const auto csv = vitdse::test::read_file(dir.path() / "lowpower" / (t.name + ".csv"));
    EXPECT_EQ(csv.substr(0, csv.find(',')), t.table.columns().front().key) << t.name;
    EXPECT_NE(readme.find("## " + t.title), std::string::npos) << t.name;
    EXPECT_NE(readme.find("(" + t.name + ".csv)"), std::string::npos) << t.name;
  }
  for (const auto& p : lowpower().plots) {
    EXPECT_EQ(vitdse::test::read_file(dir.path() / "lowpower" / (p.name + ".svg")).rfind("<svg", 0), 0u) << p.name;
    EXPECT_NE(readme.find("(" + p.name + ".svg)"), std::string::npos) << p.name;
  }
}

TEST(Reproduce, BadInputIsAOneLineError) {
  try {
    (void)reproduce_paper("ascnd", {});
    ADD_FAILURE() << "an unknown paper was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown paper 'ascnd' (did you mean 'ascend'?)"), std::string::npos)
        << e.what();
  }
  const auto none = test::run_cli({"reproduce"});
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("name a paper"), std::string::npos) << none.err;
  const auto unknown = test::run_cli({"reproduce", "transax", "--fast", "--images", "100"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1) << unknown.err;
  const test::TempDir dir;
  const auto blocked = dir.write("file", "x");
  const auto bad_out = test::run_cli({"reproduce", "ascend", "--fast", "--images", "100", "--out", blocked + "/sub"});
  EXPECT_EQ(bad_out.code, 1);
  EXPECT_NE(bad_out.err.find("cannot create"), std::string::npos) << bad_out.err;
}

}  // namespace
}  // namespace vitdse::report

// vitdse report end to end: a small search's run directory, the same run from the database, a
// comparison's directory, and the command's errors.
#include "vitdse/report/run_report.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "process_util.hpp"
#include "report_page.hpp"
#include "test_util.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::test {
namespace {

namespace fs = std::filesystem;

#define REQUIRE_DATASET() \
  if (!fs::exists(kFashionMnist)) GTEST_SKIP() << "dataset-fashion-mnist is not installed"

constexpr int kImages = kSanitized ? 10 : 40;

/// Lines of a CSV file without its header (none of the files read here quote a newline).
std::vector<std::string> data_lines(const fs::path& file) {
  auto lines = split(read_file(file), '\n');
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (!lines.empty()) lines.erase(lines.begin());
  return lines;
}

/// A search of 12 designs with a constraint, so that the run has infeasible points.
fs::path small_run(const TempDir& dir) {
  const auto r = run_cli(search_args(12, kImages, dir.path() / "r.sqlite", dir.path() / "run", kFashionMnist,
                                     {"--constraint", "top1_drop_pp <= 3"}));
  EXPECT_EQ(r.code, 0) << r.err;
  return dir.path() / "run";
}

bool near(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)); }

TEST(ReportCommand, ARunDirectoryGivesOneMarkerPerFrontRowAndLayersThatSumToEachDesign) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto run = small_run(dir);
  const auto r = run_cli({"report", run.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("wrote " + (run / "report.html").string(), 0), 0u) << r.out;
  const std::string html = read_file(run / "report.html");
  const auto data = embedded_json(html);

  const auto front_lines = data_lines(run / "pareto.csv");
  ASSERT_GE(front_lines.size(), 1u);
  ASSERT_EQ(data["front"].size(), front_lines.size());
  EXPECT_EQ(count(html, "class=\"front-pt\""), front_lines.size());  // one cost objective: one plot
  EXPECT_EQ(count(html, "<tr data-f=\""), front_lines.size());
  EXPECT_EQ(data["front_csv"], read_file(run / "pareto.csv"));

  // Every evaluation, with all.csv's feasibility; the trace of hv.csv.
  const auto all = data_lines(run / "all.csv");
  ASSERT_EQ(data["points"].size(), all.size());
  std::size_t infeasible = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto cells = split(all[i], ',');
    EXPECT_EQ(data["points"][i]["design_hash"], cells[1]);
    EXPECT_EQ(data["points"][i]["feasible"], cells[8] == "1");
    infeasible += cells[8] == "1" ? 0 : 1;
  }
  EXPECT_GT(infeasible, 0u) << "the constraint should rule some designs out";
  EXPECT_EQ(count(html, "class=\"pt infeasible\""), infeasible);
  const auto hv = data_lines(run / "hv.csv");
  ASSERT_EQ(data["curves"].size(), 1u);
  ASSERT_EQ(data["curves"][0]["hypervolume"].size(), hv.size());
  for (std::size_t i = 0; i < hv.size(); ++i) {
    EXPECT_EQ(data["curves"][0]["hypervolume"][i].get<double>(), std::stod(split(hv[i], ',')[3]));
  }

  // Each design's layers sum to its energy, and agree with `vitdse cost --per-layer`.
  for (std::size_t j = 0; j < data["front"].size(); ++j) {
    const auto& d = data["front"][j];
    EXPECT_EQ(d["design_hash"], split(front_lines[j], ',')[0]);
    double total = 0, parts = 0;
    for (const auto& l : d["layers"]) {
      total += l["energy_uJ"].get<double>();
      for (const char* k : {"mac_uJ", "nonlinear_uJ", "sram_uJ", "dram_uJ", "static_uJ", "device_uJ"})
        parts += l[k].get<double>();
    }
    EXPECT_TRUE(near(total, d["energy_uJ"].get<double>())) << total << " vs " << d["energy_uJ"];
    EXPECT_TRUE(near(parts, d["energy_uJ"].get<double>())) << parts << " vs " << d["energy_uJ"];
    const auto design = dir.write("design" + std::to_string(j) + ".json", d["design"].get<std::string>());
    const auto c = run_cli({"cost", "--per-layer", "--json", "--design", design});
    ASSERT_EQ(c.code, 0) << c.err;
    const auto layers = nlohmann::json::parse(c.out)["layers"];
    ASSERT_EQ(layers.size(), d["layers"].size());
    for (std::size_t i = 0; i < layers.size(); ++i) {
      EXPECT_EQ(layers[i]["layer"], d["layers"][i]["name"]);
      EXPECT_EQ(layers[i]["unit"], d["layers"][i]["unit"]);
      EXPECT_EQ(layers[i]["sram_uJ"].get<double>(), d["layers"][i]["sram_uJ"].get<double>());
      EXPECT_EQ(layers[i]["energy_uJ"].get<double>(), d["layers"][i]["energy_uJ"].get<double>());
    }
  }

  // --out elsewhere; a template other than the run's prices differently and is refused.
  const auto elsewhere = dir.path() / "elsewhere.html";
  ASSERT_EQ(run_cli({"report", run.string(), "--out", elsewhere.string()}).code, 0);
  EXPECT_EQ(embedded_json(read_file(elsewhere)), data);
  const auto wrong = run_cli({"-q", "report", run.string(), "--arch", "lowpower-vit-28nm-pipelined", "--out",
                              (dir.path() / "wrong.html").string()});
  EXPECT_EQ(wrong.code, 1);
  EXPECT_TRUE(one_line(wrong.err)) << wrong.err;
  EXPECT_NE(wrong.err.find("prices it at"), std::string::npos) << wrong.err;
  EXPECT_FALSE(fs::exists(dir.path() / "wrong.html"));
}

TEST(ReportCommand, TheSameRunFromTheDatabaseGivesTheSameFrontPointsAndHypervolume) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto run = small_run(dir);
  ASSERT_EQ(run_cli({"-q", "report", run.string()}).code, 0);
  const auto from_dir = embedded_json(read_file(run / "report.html"));
  const auto out = dir.path() / "db.html";
  const auto r = run_cli({"report", "--db", (dir.path() / "r.sqlite").string(), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto from_db = embedded_json(read_file(out));
  EXPECT_EQ(from_db["runs"], from_dir["runs"]);
  EXPECT_EQ(from_db["points"], from_dir["points"]);
  EXPECT_EQ(from_db["front"], from_dir["front"]);
  // Replayed from the stored points, the hypervolume is the search's own, bit for bit.
  EXPECT_EQ(from_db["curves"], from_dir["curves"]);
  // --run names it too (here through the library); a default --out names the run.
  const std::string id = from_dir["runs"][0]["id"];
  report::RunReportSource source;
  source.db = dir.path() / "r.sqlite";
  source.run = id;
  const auto loaded = report::load_run_report(source);
  EXPECT_EQ(loaded.front.size(), from_dir["front"].size());
  EXPECT_EQ(loaded.source, "run " + id + " in " + (dir.path() / "r.sqlite").string());
  const auto again = run_cli({"report", "--db", (dir.path() / "r.sqlite").string(), "--run", id});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(fs::exists("report-" + id + ".html"));
  fs::remove("report-" + id + ".html");
}

TEST(ReportCommand, AComparisonGetsACurvePerAlgorithmAndEveryRunsFront) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto out = dir.path() / "cmp";
  const auto c = run_cli({"-q", "compare", "--budget", "8", "--seeds", "2", "--algos", "mcts,random", "--images",
                          std::to_string(kImages), "--db", (dir.path() / "c.sqlite").string(), "--out", out.string(),
                          "--data", kFashionMnist});
  ASSERT_EQ(c.code, 0) << c.err;
  const auto r = run_cli({"report", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = read_file(out / "report.html");
  const auto data = embedded_json(html);
  ASSERT_EQ(data["runs"].size(), 4u);
  EXPECT_EQ(data["runs"][0]["id"].get<std::string>().rfind("mcts-s0-", 0), 0u);
  EXPECT_EQ(data["points"].size(), 4u * 8);
  std::size_t rows = 0;
  for (const char* run : {"mcts-s0", "mcts-s1", "random-s0", "random-s1"})
    rows += data_lines(out / run / "pareto.csv").size();
  EXPECT_EQ(data["front"].size(), rows);
  EXPECT_EQ(count(html, "class=\"front-pt\""), rows);
  EXPECT_EQ(split(data["front_csv"].get<std::string>(), '\n').size(), rows + 2);  // header, rows, final newline

  // One curve per algorithm, whose last value is summary.csv's median.
  ASSERT_EQ(data["curves"].size(), 2u);
  const auto summary = data_lines(out / "summary.csv");
  ASSERT_EQ(summary.size(), 2u);
  for (std::size_t a = 0; a < 2; ++a) {
    const auto cells = split(summary[a], ',');
    EXPECT_EQ(data["curves"][a]["name"], cells[0]);
    ASSERT_EQ(data["curves"][a]["hypervolume"].size(), 8u);
    EXPECT_EQ(data["curves"][a]["hypervolume"].back().get<double>(), std::stod(cells[2])) << cells[0];
  }
  EXPECT_NE(html.find("median over 2 seeds"), std::string::npos);
}

// A screened twin is a curve of its own, not merged into the same algorithm's full runs.
TEST(ReportCommand, AScreenedComparisonGetsACurvePerSetting) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto out = dir.path() / "cmp";
  const auto c = run_cli({"-q", "compare", "--budget", "6", "--seeds", "2", "--algos", "mcts", "--images",
                          std::to_string(kImages), "--screen-images", std::to_string(kImages / 4), "--db",
                          (dir.path() / "c.sqlite").string(), "--out", out.string(), "--data", kFashionMnist});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_TRUE(fs::exists(out / "hv_images.svg"));
  const auto r = run_cli({"report", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto data = embedded_json(read_file(out / "report.html"));
  EXPECT_EQ(data["runs"].size(), 4u);
  const auto summary = data_lines(out / "summary.csv");
  ASSERT_EQ(summary.size(), 2u);
  ASSERT_EQ(data["curves"].size(), 2u);
  for (std::size_t a = 0; a < 2; ++a) {
    const auto cells = split(summary[a], ',');
    EXPECT_EQ(data["curves"][a]["name"], cells[0]);
    EXPECT_EQ(data["curves"][a]["hypervolume"].back().get<double>(), std::stod(cells[2])) << cells[0];
  }
  EXPECT_EQ(data["curves"][1]["name"], "mcts+screen" + std::to_string(kImages / 4));
}

TEST(ReportCommand, ErrorsAreOneLine) {
  const TempDir dir;
  const auto file = dir.write("notes.txt", "not a run\n");
  const auto put = [&](const std::string& name, const std::string& text) { static_cast<void>(dir.write(name, text)); };
  fs::create_directories(dir.path() / "empty");
  fs::create_directories(dir.path() / "broken");
  put("broken/run.yaml", "id: x\nmodel: vit-fmnist\narch: lowpower-vit-28nm\nobjectives: [top1_drop_pp, energy_uJ]\n");
  put("broken/all.csv", "evaluation,design_hash\n1,\"unclosed\n");
  fs::create_directories(dir.path() / "badyaml");
  put("badyaml/run.yaml", "model: [unclosed\n");
  fs::create_directories(dir.path() / "badobjective");
  put("badobjective/run.yaml", "model: vit-fmnist\narch: lowpower-vit-28nm\nobjectives: [top1_drop_pp, speed]\n");
  const auto empty_db = dir.path() / "empty.sqlite";
  { const store::Database db(empty_db); }
  const std::vector<std::tuple<std::vector<std::string>, int, std::string>> cases{
      {{"report"}, 2, "give a run directory"},
      {{"report", "--frobnicate"}, 2, "frobnicate"},
      {{"report", (dir.path() / "missing").string()}, 1, "no run directory"},
      {{"report", file}, 1, "is not a directory"},
      {{"report", (dir.path() / "empty").string()}, 1, "neither a run directory"},
      {{"report", (dir.path() / "broken").string()}, 1, "quoted field is not closed"},
      {{"report", (dir.path() / "badyaml").string()}, 1, "run.yaml cannot be read"},
      {{"report", (dir.path() / "badobjective").string()}, 1, "unknown objective 'speed'"},
      {{"report", (dir.path() / "empty").string(), "--run", "x"}, 2, "--run needs --db"},
      {{"report", (dir.path() / "empty").string(), "--db", empty_db.string()}, 2, "not both"},
      {{"report", "--db", (dir.path() / "missing.sqlite").string()}, 1, "no database"},
      {{"report", "--db", file}, 1, ""},
      {{"report", "--db", empty_db.string()}, 1, "holds no runs"},
      {{"report", "--db", empty_db.string(), "--run", "mcts-s0-nosuchrun"}, 1, "no run 'mcts-s0-nosuchrun'"},
      {{"report", (dir.path() / "line\nbreak").string()}, 1, "no run directory"},
  };
  for (const auto& [args, code, words] : cases) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, code) << join(args, " ") << ": " << r.err;
    EXPECT_TRUE(one_line(r.err)) << join(args, " ") << ": " << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << join(args, " ") << ": " << r.err;
  }
}

TEST(ReportCommand, ARunOnAnotherModelIsRefusedNamingTheFix) {
  REQUIRE_DATASET();
  const TempDir dir;
  const auto run = small_run(dir);
  // The same run claiming another model: its designs no longer fit (or hash differently).
  std::string yaml = read_file(run / "run.yaml");
  const auto at = yaml.find("model: vit-fmnist");
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, 17, "model: deit-tiny");
  std::ofstream(run / "run.yaml") << yaml;
  const auto r = run_cli({"-q", "report", run.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
  // Given the right model, it is made.
  EXPECT_EQ(run_cli({"-q", "report", run.string(), "--model", "vit-fmnist"}).code, 0);
}

}  // namespace
}  // namespace vitdse::test

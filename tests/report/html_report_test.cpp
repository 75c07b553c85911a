// The HTML report's rendering from hand-built data: markers, embedded data, escaping, and that
// the page needs nothing from the network.
#include "vitdse/report/html_report.hpp"

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "report_page.hpp"

namespace vitdse::report {
namespace {

/// A report of one run with `front` designs (two layers each) among `points` evaluations, every
/// third of them infeasible; objectives top-1 drop, energy and area.
HtmlReport sample(std::size_t front, std::size_t points) {
  HtmlReport r;
  r.title = "vitdse search run mcts-s0-test";
  r.source = "runs/mcts-s0-test";
  r.model = "vit-fmnist";
  r.arch = "lowpower-vit-28nm";
  r.metrics = {search::Metric::top1_drop_pp, search::Metric::energy_uJ, search::Metric::area_mm2};
  r.constraints = {search::parse_constraint("top1_drop_pp <= 3")};
  r.float_top1_pct = 90.5;
  r.runs = {{"mcts-s0-test", "mcts"}};
  for (std::size_t i = 0; i < points; ++i) {
    ReportPoint p;
    p.evaluation = static_cast<std::int64_t>(i + 1);
    p.design_hash = "p" + std::to_string(i);
    p.score.top1_pct = 80 + 0.1 * static_cast<double>(i);
    p.score.energy_uJ = 40 - 0.3 * static_cast<double>(i);
    p.score.area_mm2 = 1 + 0.01 * static_cast<double>(i);
    p.feasible = i % 3 != 2;
    r.points.push_back(p);
  }
  for (std::size_t j = 0; j < front; ++j) {
    ReportDesign d;
    d.row.design_hash = "f" + std::to_string(j);
    d.row.canonical = R"({"layers":{"head":{"mult":"exact:8s"}}})";
    d.row.score.top1_pct = 90 - static_cast<double>(j);
    d.row.score.energy_uJ = 0.1 + 0.2 + static_cast<double>(j);  // not a short decimal: tests full precision
    d.row.score.area_mm2 = 1.25;
    if (j == 0) d.row.full_test = search::Score{.top1_pct = 89.97};
    for (const char* name : {"patch_embed", "head"}) {
      ReportLayer l;
      l.name = name;
      l.settings = R"({"abits":8,"mult":"exact:8s","wbits":8})";
      l.cost.unit = "exact:8s";
      l.cost.macs = 1000;
      l.cost.energy.mac_uJ = 0.1 / 3;
      l.cost.energy.sram_uJ = 0.2;
      l.cost.energy.dram_uJ = 0.05 * static_cast<double>(j);
      d.layers.push_back(l);
    }
    r.front.push_back(d);
  }
  r.curves = {{"mcts", {0.0, 0.25, 0.5}, {}, {}}};
  r.front_csv = "design_hash,top1_pct\nf0,90\n";
  return r;
}

TEST(HtmlReport, DrawsOneFrontMarkerPerRowInEveryCostPlot) {
  const std::string html = render_html_report(sample(4, 9));
  // Energy and area: two plots, each with a marker per front row and one per evaluation.
  EXPECT_EQ(test::count(html, "<figure class=\"plot\""), 2u);
  EXPECT_EQ(test::count(html, "class=\"front-pt\""), 2u * 4);
  for (int j = 0; j < 4; ++j)
    EXPECT_EQ(test::count(html, "<circle class=\"front-pt\" data-f=\"" + std::to_string(j) + "\""), 2u);
  EXPECT_EQ(test::count(html, "data-p=\""), 2u * 9);
  EXPECT_EQ(test::count(html, "class=\"pt infeasible\""), 2u * 3);
  EXPECT_EQ(test::count(html, "<tr data-f=\""), 4u);  // the front's table
  EXPECT_NE(html.find("energy per inference (uJ)"), std::string::npos);
  EXPECT_NE(html.find("area (mm2)"), std::string::npos);
  EXPECT_NE(html.find("violates top1_drop_pp &lt;= 3"), std::string::npos);
  EXPECT_NE(html.find("<td data-v=\"89.97\">89.97</td>"), std::string::npos);  // full-test top-1
}

TEST(HtmlReport, AComparisonColoursRunsByAlgorithm) {
  HtmlReport r = sample(3, 3);
  r.runs = {{"mcts-s0", "mcts"}, {"random-s0", "random"}, {"mcts-s1", "mcts"}};
  for (std::size_t j = 0; j < 3; ++j) r.front[j].run = j;
  const std::string html = render_html_report(r);
  const auto fill = [&](int j) {
    const std::string marker = "class=\"front-pt\" data-f=\"" + std::to_string(j) + "\"";
    const auto at = html.find("fill=\"", html.find(marker));
    return html.substr(at + 6, 7);
  };
  EXPECT_EQ(fill(0), fill(2));  // both mcts
  EXPECT_NE(fill(0), fill(1));
  EXPECT_EQ(test::count(html, "front</li>"), 2u);  // a swatch per algorithm
}

TEST(HtmlReport, AnEmptyFrontStillRenders) {
  const std::string html = render_html_report(sample(0, 0));
  EXPECT_EQ(test::count(html, "class=\"front-pt\""), 0u);
  EXPECT_EQ(test::embedded_json(html)["front"].size(), 0u);
}

TEST(HtmlReport, EmbeddedDataRoundTrips) {
  const HtmlReport r = sample(3, 5);
  const auto data = test::embedded_json(render_html_report(r));
  EXPECT_EQ(data, report_json(r));
  ASSERT_EQ(data["front"].size(), 3u);
  ASSERT_EQ(data["points"].size(), 5u);
  for (std::size_t j = 0; j < r.front.size(); ++j) {
    const auto& d = data["front"][j];
    EXPECT_EQ(d["design_hash"], r.front[j].row.design_hash);
    EXPECT_EQ(d["design"], r.front[j].row.canonical);
    EXPECT_EQ(d["energy_uJ"].get<double>(), r.front[j].row.score.energy_uJ);  // bit for bit
    ASSERT_EQ(d["layers"].size(), 2u);
    EXPECT_EQ(d["layers"][1]["name"], "head");
    EXPECT_EQ(d["layers"][1]["mac_uJ"].get<double>(), 0.1 / 3);
    EXPECT_EQ(d["layers"][1]["energy_uJ"].get<double>(), r.front[j].layers[1].cost.energy.total_uJ());
    EXPECT_EQ(nlohmann::json::parse(d["layers"][0]["settings"].get<std::string>())["wbits"], 8);
  }
  EXPECT_EQ(data["front"][0]["full_test_top1_pct"], 89.97);
  EXPECT_TRUE(data["front"][1]["full_test_top1_pct"].is_null());
  EXPECT_EQ(data["points"][2]["feasible"], false);
  EXPECT_EQ(data["points"][4]["top1_drop_pp"].get<double>(), 90.5 - r.points[4].score.top1_pct);
  EXPECT_EQ(data["metrics"], nlohmann::json({"top1_drop_pp", "energy_uJ", "area_mm2"}));
  EXPECT_EQ(data["curves"][0]["hypervolume"], nlohmann::json({0.0, 0.25, 0.5}));
}

TEST(HtmlReport, TheCsvLinkCarriesTheFrontExactly) {
  HtmlReport r = sample(1, 1);
  r.front_csv = "design_hash,design\nf0,\"{\"\"layers\"\":{}}\"\n# 100% <b>&</b>\n";
  const std::string html = render_html_report(r);
  const std::string prefix = "href=\"data:text/csv;charset=utf-8,";
  const auto at = html.find(prefix);
  ASSERT_NE(at, std::string::npos);
  const auto start = at + prefix.size();
  const std::string encoded = html.substr(start, html.find('"', start) - start);
  EXPECT_EQ(encoded.find_first_of("<>&\"' \n"), std::string::npos) << encoded;
  EXPECT_EQ(test::percent_decode(encoded), r.front_csv);
}

TEST(HtmlReport, EscapesHostileStringsEverywhere) {
  HtmlReport r = sample(2, 3);
  const std::string hostile = "\"'><script>alert(1)</script><!--&amp;";
  r.title = "run " + hostile;
  r.source = "runs/" + hostile;
  r.model = hostile;
  r.arch = "</style>" + hostile;
  r.runs[0].id = hostile + "\xe2\x80\xa8";  // U+2028 ends a line in older JavaScript
  r.runs[0].algorithm = hostile;
  r.points[0].design_hash = hostile;
  r.front[0].row.design_hash = hostile;
  r.front[0].row.canonical = "{\"layers\":{\"</script><script>alert(2)</script>\":{}}}";
  r.front[0].layers[0].name = hostile;
  r.front[0].layers[0].settings = hostile;
  r.front[0].layers[0].cost.unit = hostile;
  r.curves[0].name = hostile;
  r.front_csv = hostile;
  const std::string html = render_html_report(r);

  EXPECT_EQ(html.find(hostile), std::string::npos);
  EXPECT_EQ(html.find("alert(1)</script>"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_EQ(test::count(html, "<script"), 2u);  // the data and the code, nothing else
  EXPECT_EQ(test::count(html, "</script>"), 2u);
  EXPECT_EQ(test::count(html, "</style>"), 1u);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);  // shown as text

  // The embedded data gives back every string exactly.
  const auto data = test::embedded_json(html);
  EXPECT_EQ(data["title"], r.title);
  EXPECT_EQ(data["source"], r.source);
  EXPECT_EQ(data["arch"], r.arch);
  EXPECT_EQ(data["runs"][0]["id"], r.runs[0].id);
  EXPECT_EQ(data["points"][0]["design_hash"], hostile);
  EXPECT_EQ(data["front"][0]["design_hash"], hostile);
  EXPECT_EQ(data["front"][0]["design"], r.front[0].row.canonical);
  EXPECT_EQ(data["front"][0]["layers"][0]["name"], hostile);
  EXPECT_EQ(data["front"][0]["layers"][0]["settings"], hostile);
  EXPECT_EQ(data["front"][0]["layers"][0]["unit"], hostile);
  EXPECT_EQ(data["front_csv"], hostile);
}

TEST(HtmlReport, InvalidUtf8IsReplacedNotThrown) {
  HtmlReport r = sample(1, 1);
  r.front[0].row.design_hash = "bad\xff\xfe";
  std::string html;
  ASSERT_NO_THROW(html = render_html_report(r));
  EXPECT_EQ(test::embedded_json(html)["front"][0]["design_hash"], "bad\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(HtmlReport, NeedsNothingFromTheNetwork) {
  const std::string html = render_html_report(sample(3, 6));
  std::string rest = html;
  for (const std::string ns : {"http://www.w3.org/2000/svg"}) {
    for (auto at = rest.find(ns); at != std::string::npos; at = rest.find(ns)) rest.erase(at, ns.size());
  }
  EXPECT_EQ(rest.find("http:"), std::string::npos);
  EXPECT_EQ(rest.find("https:"), std::string::npos);
  EXPECT_EQ(rest.find("//cdn"), std::string::npos);
  EXPECT_EQ(rest.find(" src="), std::string::npos);
  EXPECT_EQ(rest.find("<link"), std::string::npos);
  EXPECT_EQ(rest.find("@import"), std::string::npos);
  EXPECT_EQ(rest.find("fetch("), std::string::npos);
}

TEST(HtmlEscape, EscapesTheFiveCharacters) {
  EXPECT_EQ(html_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(html_escape("plain"), "plain");
  EXPECT_EQ(script_safe_json(nlohmann::json("</script>&")), R"("\u003c/script\u003e\u0026")");
  EXPECT_EQ(nlohmann::json::parse(script_safe_json(nlohmann::json("</script>&"))), "</script>&");
}

}  // namespace
}  // namespace vitdse::report

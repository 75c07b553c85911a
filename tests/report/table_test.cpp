// Table rendering: CSV escaping, full precision, and JSON keys.
#include "vitdse/report/table.hpp"

#include <gtest/gtest.h>

namespace vitdse::report {

TEST(Table, CsvUsesKeysAndFullPrecision) {
  Table t({{"name", "Name"}, {"energy_uJ", "energy (uJ)"}, {"count", "count"}});
  t.add({std::string("a,b"), 0.1 + 0.2, std::int64_t{7}});
  const std::string csv = t.to_csv();
  EXPECT_EQ(csv, "name,energy_uJ,count\n\"a,b\",0.30000000000000004,7\n");
  EXPECT_EQ(std::stod(csv.substr(csv.find("0.3"), 19)), 0.1 + 0.2);  // round-trips
  EXPECT_EQ(t.to_json()[0]["energy_uJ"], 0.1 + 0.2);
  EXPECT_NE(t.to_text().find("energy (uJ)"), std::string::npos);
}

TEST(Table, RejectsRaggedRows) {
  Table t(std::vector<Column>{{"a", "a"}});
  EXPECT_THROW(t.add({std::int64_t{1}, std::int64_t{2}}), std::exception);
}

TEST(Table, CsvEscapesQuotes) { EXPECT_EQ(csv_escape("say \"hi\""), "\"say \"\"hi\"\"\""); }

TEST(Metrics, TextCsvJsonAgree) {
  const std::vector<Metric> m{{"latency_ms", "latency", "ms", 1.5}, {"area_mm2", "area", "mm2", 2.25}};
  EXPECT_EQ(metrics_csv(m), "latency_ms,area_mm2\n1.5,2.25\n");
  EXPECT_EQ(metrics_json(m)["area_mm2"], 2.25);
  EXPECT_NE(metrics_text(m).find("1.5 ms"), std::string::npos);
}

}  // namespace vitdse::report

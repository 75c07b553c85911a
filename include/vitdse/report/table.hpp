// Tables of results rendered as aligned text, CSV (units in the headers) or JSON.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace vitdse::report {

using Cell = std::variant<std::string, std::int64_t, double>;

/// A column's machine name carries its unit ("energy_uJ"); `label` is the human heading.
struct Column {
  std::string key;
  std::string label;
};

/// Rows of cells under named columns. CSV and JSON use `key`; text uses `label`.
///
///     Table t({{"layer", "layer"}, {"macs", "MACs"}});
///     t.add({std::string("head"), std::int64_t{384000}});
///     std::cout << t.to_text();
class Table {
 public:
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void add(std::vector<Cell> row);
  [[nodiscard]] std::size_t rows() const { return rows_.size(); }
  [[nodiscard]] const std::vector<Column>& columns() const { return columns_; }
  [[nodiscard]] const std::vector<std::vector<Cell>>& cells() const { return rows_; }

  [[nodiscard]] std::string to_text() const;
  /// One header row of keys; doubles in full precision (%.17g).
  [[nodiscard]] std::string to_csv() const;
  /// An array of objects keyed by column key.
  [[nodiscard]] nlohmann::json to_json() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<Cell>> rows_;
};

/// A named scalar with its unit, e.g. {"latency_ms", "latency", "ms", 3.2}.
struct Metric {
  std::string key;    ///< JSON/CSV name, unit suffixed
  std::string label;  ///< text label
  std::string unit;   ///< text unit
  double value = 0;
};

/// "label  value unit" lines, aligned.
std::string metrics_text(const std::vector<Metric>& metrics);
/// One header row of keys, one row of values in full precision.
std::string metrics_csv(const std::vector<Metric>& metrics);
nlohmann::json metrics_json(const std::vector<Metric>& metrics);

/// CSV field quoting (RFC 4180) for text cells.
std::string csv_escape(const std::string& text);
/// Full-precision text of a double for CSV ("%.17g").
std::string full_precision(double value);

}  // namespace vitdse::report

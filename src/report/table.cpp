// Table and metric rendering: text, CSV and JSON.
#include "vitdse/report/table.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::report {

namespace {

std::string text_cell(const Cell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
  return format_number(std::get<double>(cell), 6);
}

std::string csv_cell(const Cell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) return csv_escape(*s);
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
  return full_precision(std::get<double>(cell));
}

nlohmann::json json_cell(const Cell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return *i;
  return std::get<double>(cell);
}

}  // namespace

std::string csv_escape(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string full_precision(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

void Table::add(std::vector<Cell> row) {
  if (row.size() != columns_.size()) {
    throw Error("internal: table row has " + std::to_string(row.size()) + " cells for " +
                std::to_string(columns_.size()) + " columns");
  }
  rows_.push_back(std::move(row));
}

std::string Table::to_text() const {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].label.size();
  for (const auto& row : rows_) {
    auto& out = cells.emplace_back();
    for (std::size_t c = 0; c < row.size(); ++c) {
      out.push_back(text_cell(row[c]));
      width[c] = std::max(width[c], out.back().size());
    }
  }
  std::ostringstream os;
  const auto line = [&](const std::vector<std::string>& values, const std::vector<Cell>* row) {
    for (std::size_t c = 0; c < values.size(); ++c) {
      const bool numeric = row != nullptr && !std::holds_alternative<std::string>((*row)[c]);
      const std::string pad(width[c] - values[c].size(), ' ');
      os << (c > 0 ? "  " : "") << (numeric ? pad + values[c] : values[c] + (c + 1 < values.size() ? pad : ""));
    }
    os << '\n';
  };
  std::vector<std::string> header;
  for (const auto& col : columns_) header.push_back(col.label);
  line(header, nullptr);
  for (std::size_t r = 0; r < rows_.size(); ++r) line(cells[r], &rows_[r]);
  return os.str();
}

std::string Table::to_csv() const {
  std::ostringstream os;
  for (std::size_t c = 0; c < columns_.size(); ++c) os << (c > 0 ? "," : "") << csv_escape(columns_[c].key);
  os << '\n';
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) os << (c > 0 ? "," : "") << csv_cell(row[c]);
    os << '\n';
  }
  return os.str();
}

nlohmann::json Table::to_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& row : rows_) {
    nlohmann::json obj = nlohmann::json::object();
    for (std::size_t c = 0; c < row.size(); ++c) obj[columns_[c].key] = json_cell(row[c]);
    out.push_back(std::move(obj));
  }
  return out;
}

std::string metrics_text(const std::vector<Metric>& metrics) {
  std::size_t label_width = 0, value_width = 0;
  std::vector<std::string> values;
  for (const auto& m : metrics) {
    label_width = std::max(label_width, m.label.size());
    values.push_back(format_number(m.value, 6));
    value_width = std::max(value_width, values.back().size());
  }
  std::ostringstream os;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const auto& m = metrics[i];
    os << m.label << std::string(label_width - m.label.size() + 2, ' ')
       << std::string(value_width - values[i].size(), ' ') << values[i] << (m.unit.empty() ? "" : " " + m.unit) << '\n';
  }
  return os.str();
}

std::string metrics_csv(const std::vector<Metric>& metrics) {
  std::ostringstream os;
  for (std::size_t i = 0; i < metrics.size(); ++i) os << (i > 0 ? "," : "") << metrics[i].key;
  os << '\n';
  for (std::size_t i = 0; i < metrics.size(); ++i) os << (i > 0 ? "," : "") << full_precision(metrics[i].value);
  os << '\n';
  return os.str();
}

nlohmann::json metrics_json(const std::vector<Metric>& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& m : metrics) out[m.key] = m.value;
  return out;
}

}  // namespace vitdse::report

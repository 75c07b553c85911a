// Reading an HTML report back in tests: its embedded JSON, counts of markup, its data: URL.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace vitdse::test {

/// Non-overlapping occurrences of `what` in `text`.
inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

/// The page's <script type="application/json" id="report-data"> parsed.
inline nlohmann::json embedded_json(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const auto start = html.find(open);
  if (start == std::string::npos) throw std::runtime_error("no embedded report data");
  const auto from = start + open.size();
  const auto end = html.find("</script>", from);
  if (end == std::string::npos) throw std::runtime_error("the report data's script is not closed");
  return nlohmann::json::parse(html.substr(from, end - from));
}

/// %XX escapes decoded.
inline std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace vitdse::test

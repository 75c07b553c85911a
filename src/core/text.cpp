// String helpers: joining, splitting, typo suggestions and strict number parsing.
#include "vitdse/core/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "vitdse/core/error.hpp"

namespace vitdse {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = text.find(sep, start);
    out.emplace_back(text.substr(start, pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::string best = closest_match(word, candidates);
  return best.empty() ? std::string() : " (did you mean '" + best + "'?)";
}

namespace {
/// Length of the well-formed UTF-8 sequence at `text[i]` (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const auto continuation = [&](std::size_t k) { return i + k < text.size() && (byte(k) & 0xc0u) == 0x80u; };
  const unsigned lead = byte(0);
  if (lead < 0x80u) return 1;
  if (lead >= 0xc2u && lead <= 0xdfu) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0u && lead <= 0xefu) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (lead == 0xe0u && byte(1) < 0xa0u) return 0;   // overlong
    if (lead == 0xedu && byte(1) >= 0xa0u) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (lead >= 0xf0u && lead <= 0xf4u) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (lead == 0xf0u && byte(1) < 0x90u) return 0;   // overlong
    if (lead == 0xf4u && byte(1) >= 0x90u) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void append_hex_escape(std::string& out, unsigned char c) {
  static const char* const kHex = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xfu];
}

/// Printable form of `text`, stopping before the character that would pass `max_bytes` of input.
/// Returns the number of input bytes consumed.
std::size_t append_printable(std::string& out, std::string_view text, std::size_t max_bytes) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_length(text, i);
    if (i + std::max<std::size_t>(n, 1) > max_bytes) break;
    const auto c = static_cast<unsigned char>(text[i]);
    // C0 controls and DEL (one byte), C1 controls (U+0080..U+009F, encoded 0xc2 0x80..0x9f).
    const bool control =
        n == 1 ? (c < 0x20u || c == 0x7fu) : (n == 2 && c == 0xc2u && static_cast<unsigned char>(text[i + 1]) < 0xa0u);
    if (n == 0 || control) {
      for (std::size_t k = 0; k < std::max<std::size_t>(n, 1); ++k)
        append_hex_escape(out, static_cast<unsigned char>(text[i + k]));
      i += std::max<std::size_t>(n, 1);
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return i;
}
}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  if (append_printable(out, text, max_bytes) < text.size()) out += "...";
  return out;
}

std::string quoted_value(std::string_view value, std::size_t max_bytes) {
  std::string out(1, '\'');  // appended, not "'" + ...: GCC 12's false -Wrestrict (bug 105329)
  out += printable(value, max_bytes);
  out += '\'';
  if (value.size() > max_bytes) out += " (" + std::to_string(value.size()) + " bytes)";
  return out;
}

double parse_double(std::string_view text, std::string_view what) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    throw Error(std::string(what) + ": " + quoted_value(text) + " is not a number");
  }
  return value;
}

long long parse_int(std::string_view text, std::string_view what) {
  long long value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    throw Error(std::string(what) + ": " + quoted_value(text) + " is not an integer");
  }
  return value;
}

std::string format_number(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

}  // namespace vitdse

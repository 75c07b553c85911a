// Small string helpers shared by error messages and parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vitdse {

/// Joins `items` with `sep`: join({"a","b"}, ", ") == "a, b".
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

/// Splits on every `sep`, keeping empty fields: split("a::b", ':') == {"a", "", "b"}.
std::vector<std::string> split(std::string_view text, char sep);

/// The candidate closest to `word` by edit distance, or "" if none is plausibly a typo of it.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" when a close candidate exists, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

/// `text` made safe to print on one terminal line: printable UTF-8 is kept; control characters
/// (newlines included), DEL, C1 controls and bytes that are not valid UTF-8 become `\xNN`.
/// Text longer than `max_bytes` is cut at a character boundary and ends in "...".
///
///     printable("a\nb\xff") == "a\\x0ab\\xff"
std::string printable(std::string_view text, std::size_t max_bytes = std::string_view::npos);

/// A user's value for an error message: printable, in single quotes, and cut after `max_bytes`
/// (at a character boundary) with the full length noted, so that one line stays short.
///
///     quoted_value(std::string(500, 'a')) == "'aaaa...a...' (500 bytes)"
std::string quoted_value(std::string_view value, std::size_t max_bytes = 80);

/// Parses a whole string as a number, throwing vitdse::Error naming `what` otherwise.
double parse_double(std::string_view text, std::string_view what);
long long parse_int(std::string_view text, std::string_view what);

/// Formats a double with up to `digits` significant digits, no trailing noise.
std::string format_number(double value, int digits = 6);

}  // namespace vitdse

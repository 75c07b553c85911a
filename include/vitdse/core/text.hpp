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

/// Parses a whole string as a number, throwing vitdse::Error naming `what` otherwise.
double parse_double(std::string_view text, std::string_view what);
long long parse_int(std::string_view text, std::string_view what);

/// Formats a double with up to `digits` significant digits, no trailing noise.
std::string format_number(double value, int digits = 6);

}  // namespace vitdse

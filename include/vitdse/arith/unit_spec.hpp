// Unit specs: one string names an arithmetic unit, e.g. "drum:8s:k=6" or "softmax:iter:k=3".
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vitdse::arith {

/// The parsed, syntax-checked form of `family:field[:field]*[:key=value]*`.
/// Positional fields come before key=value fields; keys are unique.
///
///     auto s = parse_unit_spec("trunc:8u:t=4");  // family "trunc", positional {"8u"}, {t: "4"}
struct UnitSpec {
  std::string text;  ///< as written
  std::string family;
  std::vector<std::string> positional;
  std::map<std::string, std::string> params;  ///< sorted, so canonical() is stable

  /// family, positional fields, then key=value pairs in key order.
  [[nodiscard]] std::string canonical() const;
};

/// Parses the syntax only; families validate their own fields. Throws Error on empty fields,
/// duplicate keys, or a positional field after a key=value field.
UnitSpec parse_unit_spec(std::string_view text);

/// Operand width and signedness from a field such as "8s" or "4u".
struct Width {
  int bits = 0;
  bool is_signed = false;
};
/// Parses "8s"/"8u" with bits in [min_bits, max_bits]; errors name `spec` and the range.
Width parse_width(std::string_view field, std::string_view spec, int min_bits, int max_bits);

}  // namespace vitdse::arith

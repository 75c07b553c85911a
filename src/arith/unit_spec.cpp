// Unit-spec syntax: splitting, key=value parsing and canonical form.
#include "vitdse/arith/unit_spec.hpp"

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::arith {

std::string UnitSpec::canonical() const {
  std::string out = family;
  for (const auto& field : positional) out += ":" + field;
  for (const auto& [key, value] : params) out += ":" + key + "=" + value;
  return out;
}

UnitSpec parse_unit_spec(std::string_view text) {
  UnitSpec spec;
  spec.text = std::string(text);
  const std::string quoted = "unit spec '" + spec.text + "'";
  if (text.empty()) throw Error("empty unit spec; expected family:field[:key=value]..., e.g. 'exact:8s'");
  if (text.find_first_of(" \t\n") != std::string_view::npos) throw Error(quoted + " contains white space");
  const auto fields = split(text, ':');
  spec.family = fields[0];
  if (spec.family.empty()) throw Error(quoted + " has an empty family name");
  for (std::size_t i = 1; i < fields.size(); ++i) {
    const auto& field = fields[i];
    if (field.empty()) throw Error(quoted + " has an empty field");
    const auto eq = field.find('=');
    if (eq == std::string::npos) {
      if (!spec.params.empty())
        throw Error(quoted + ": positional field '" + field + "' must come before key=value fields");
      spec.positional.push_back(field);
      continue;
    }
    const auto key = field.substr(0, eq);
    const auto value = field.substr(eq + 1);
    if (key.empty() || value.empty()) throw Error(quoted + ": field '" + field + "' must be key=value");
    if (!spec.params.emplace(key, value).second) throw Error(quoted + ": key '" + key + "' given twice");
  }
  return spec;
}

Width parse_width(std::string_view field, std::string_view spec, int min_bits, int max_bits) {
  const std::string where = "unit spec '" + std::string(spec) + "'";
  if (field.size() < 2 || (field.back() != 's' && field.back() != 'u')) {
    throw Error(where + ": width '" + std::string(field) +
                "' must be a bit count followed by s (signed) or u (unsigned), e.g. 8s");
  }
  Width w;
  w.is_signed = field.back() == 's';
  const auto bits = parse_int(field.substr(0, field.size() - 1), where + " width");
  if (bits < min_bits || bits > max_bits) {
    throw Error(where + ": width " + std::to_string(bits) + " is out of range; allowed " + std::to_string(min_bits) +
                ".." + std::to_string(max_bits) + " bits");
  }
  w.bits = static_cast<int>(bits);
  return w;
}

}  // namespace vitdse::arith

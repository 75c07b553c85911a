// Family lookup and spec validation for multipliers.
#include "vitdse/arith/multiplier_registry.hpp"

#include <algorithm>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::arith {

const std::vector<MultiplierFamily>& multiplier_families() {
  static const std::vector<MultiplierFamily> families = [] {
    std::vector<MultiplierFamily> all{exact_family(), trunc_family(),    bam_family(), drum_family(), mitchell_family(),
                                      roba_family(),  kulkarni_family(), lut_family(), sc_family()};
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return all;
  }();
  return families;
}

void check_param_keys(const UnitSpec& spec, const MultiplierFamily& family) {
  std::vector<std::string> keys;
  for (const auto& p : family.params) keys.push_back(p.key);
  for (const auto& [key, value] : spec.params) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      throw Error("unit spec '" + spec.text + "': unknown key '" + key + "' for family '" + family.name + "'" +
                  did_you_mean(key, keys) + "; allowed: " + (keys.empty() ? std::string("none") : join(keys)));
    }
  }
}

int int_param(const UnitSpec& spec, const std::string& key, int lo, int hi, int fallback) {
  const auto it = spec.params.find(key);
  if (it == spec.params.end()) return fallback;
  const std::string where = "unit spec '" + spec.text + "': " + key;
  const long long v = parse_int(it->second, where);
  if (v < lo || v > hi) {
    throw Error("unit spec '" + spec.text + "': " + key + "=" + it->second + " is out of range; allowed " +
                std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<int>(v);
}

int required_int_param(const UnitSpec& spec, const std::string& key, int lo, int hi) {
  if (spec.params.count(key) == 0) {
    throw Error("unit spec '" + spec.text + "': missing " + key + "=<" + std::to_string(lo) + ".." +
                std::to_string(hi) + ">, e.g. '" + spec.family + ":" + spec.positional.front() + ":" + key + "=" +
                std::to_string((lo + hi) / 2) + "'");
  }
  return int_param(spec, key, lo, hi, lo);
}

double double_param(const UnitSpec& spec, const std::string& key, double lo, double hi, double fallback) {
  const auto it = spec.params.find(key);
  if (it == spec.params.end()) return fallback;
  const double v = parse_double(it->second, "unit spec '" + spec.text + "': " + key);
  if (!(v >= lo && v <= hi)) {
    throw Error("unit spec '" + spec.text + "': " + key + "=" + it->second + " is out of range; allowed " +
                format_number(lo) + ".." + format_number(hi));
  }
  return v;
}

namespace {

/// The family a spec names and its checked width field.
std::pair<const MultiplierFamily*, Width> family_and_width(const UnitSpec& spec) {
  const auto& families = multiplier_families();
  const auto it = std::find_if(families.begin(), families.end(), [&](const auto& f) { return f.name == spec.family; });
  if (it == families.end()) {
    std::vector<std::string> names;
    for (const auto& f : families) names.push_back(f.name);
    throw Error("unit spec '" + spec.text + "': unknown multiplier family '" + spec.family + "'" +
                did_you_mean(spec.family, names) + "; available: " + join(names));
  }
  if (spec.positional.size() != 1) {
    throw Error("unit spec '" + spec.text + "': expected exactly one width field after the family, e.g. '" + it->name +
                ":8s'");
  }
  return {&*it, parse_width(spec.positional[0], spec.text, it->min_bits, it->max_bits)};
}

}  // namespace

std::unique_ptr<Multiplier> make_multiplier(std::string_view text) {
  const UnitSpec spec = parse_unit_spec(text);
  const auto [family, width] = family_and_width(spec);
  check_param_keys(spec, *family);
  return family->make(spec, width);
}

Width multiplier_width(std::string_view text) { return family_and_width(parse_unit_spec(text)).second; }

}  // namespace vitdse::arith

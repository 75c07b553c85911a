// Strict YAML reading with file:line diagnostics.
#include "vitdse/core/yaml.hpp"

#include <fstream>
#include <sstream>

#include "vitdse/core/text.hpp"

namespace vitdse {

YamlDocument parse_yaml(const std::string& text, const std::string& source) {
  try {
    return {source, YAML::Load(text), text};
  } catch (const YAML::Exception& e) {
    throw Error(source + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                ": malformed YAML: " + e.msg);
  }
}

YamlDocument load_yaml_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path.string() + "': no such file or not readable");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_yaml(text.str(), path.string());
}

std::string yaml_location(const std::string& source, const YAML::Node& node) {
  if (!node.IsDefined() || node.Mark().is_null()) return source;
  return source + ":" + std::to_string(node.Mark().line + 1);
}

YamlMap::YamlMap(const YAML::Node& node, std::string source, std::string what)
    : map_(node), source_(std::move(source)), what_(std::move(what)) {
  if (!node.IsDefined() || node.IsNull()) {
    throw Error(source_ + ": " + what_ + " is empty; expected a mapping of keys to values");
  }
  if (!node.IsMap()) {
    throw Error(yaml_location(source_, node) + ": " + what_ + " must be a mapping of keys to values");
  }
  // A key that is a list or a mapping (`{[a]: 1}`, or an alias of one, as in `&a {*a}`) would
  // make every later look-up by name throw yaml-cpp's own exception instead of an Error.
  for (const auto& entry : node) {
    if (!entry.first.IsScalar())
      throw Error(yaml_location(source_, entry.first) + ": " + what_ + " has a key that is not a plain name");
  }
}

bool YamlMap::has(const std::string& key) const { return map_[key].IsDefined() && !map_[key].IsNull(); }

YAML::Node YamlMap::node(const std::string& key) {
  allowed_.insert(key);
  return map_[key];
}

YAML::Node YamlMap::require(const std::string& key) {
  allowed_.insert(key);
  if (!has(key)) {
    std::vector<std::string> present;
    for (const auto& entry : map_) present.push_back(entry.first.as<std::string>());
    const std::string typo = closest_match(key, present);
    throw Error(yaml_location(source_, map_) + ": " + what_ + " lacks required key '" + key + "'" +
                (typo.empty() ? std::string() : "; is '" + typo + "' a typo of it?"));
  }
  return map_[key];
}

YamlMap YamlMap::child(const std::string& key, const std::string& what) { return {require(key), source_, what}; }

Error YamlMap::choice_error(const std::string& key, const std::string& text,
                            const std::vector<std::string>& names) const {
  return error_at(key, "'" + key + "' = " + quoted_value(text) + " is not one of: " + join(names));
}

Error YamlMap::error_at(const std::string& key, const std::string& message) const {
  const YAML::Node value = map_[key];
  return Error(yaml_location(source_, value.IsDefined() ? value : map_) + ": " + message);
}

long long YamlMap::get_int(const std::string& key, long long lo, long long hi) {
  const YAML::Node value = require(key);
  long long v = 0;
  try {
    v = value.as<long long>();
  } catch (const YAML::Exception&) {
    throw error_at(key, "'" + key + "' must be an integer, got " + quoted_value(value.Scalar()));
  }
  if (v < lo || v > hi) {
    throw error_at(key, "'" + key + "' = " + std::to_string(v) + " is out of range; allowed " + std::to_string(lo) +
                            ".." + std::to_string(hi));
  }
  return v;
}

long long YamlMap::get_int_or(const std::string& key, long long fallback, long long lo, long long hi) {
  allowed_.insert(key);
  return has(key) ? get_int(key, lo, hi) : fallback;
}

double YamlMap::get_double(const std::string& key, double lo, double hi) {
  const YAML::Node value = require(key);
  double v = 0;
  try {
    v = value.as<double>();
  } catch (const YAML::Exception&) {
    throw error_at(key, "'" + key + "' must be a number, got " + quoted_value(value.Scalar()));
  }
  if (!(v >= lo && v <= hi)) {
    throw error_at(key, "'" + key + "' = " + format_number(v) + " is out of range; allowed " + format_number(lo) +
                            ".." + format_number(hi));
  }
  return v;
}

double YamlMap::get_double_or(const std::string& key, double fallback, double lo, double hi) {
  allowed_.insert(key);
  return has(key) ? get_double(key, lo, hi) : fallback;
}

void YamlMap::finish() const {
  for (const auto& entry : map_) {
    const auto key = entry.first.as<std::string>();
    if (allowed_.count(key) == 0) {
      const std::vector<std::string> allowed(allowed_.begin(), allowed_.end());
      throw Error(yaml_location(source_, entry.first) + ": unknown key " + quoted_value(key) + " in " + what_ +
                  did_you_mean(key, allowed) + "; allowed: " + join(allowed));
    }
  }
}

}  // namespace vitdse

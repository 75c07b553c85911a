// Strict YAML input: every file goes through here so errors name file:line and typos are caught.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "vitdse/core/error.hpp"

namespace vitdse {

/// A parsed YAML document and the file it came from (for messages).
struct YamlDocument {
  std::string source;  ///< shown in errors, e.g. "models/deit-small.yaml"
  YAML::Node root;
  std::string text;  ///< the text it was parsed from (for fingerprints)
};

/// Loads a YAML file. Missing files and syntax errors throw Error("file:line:col: ...").
YamlDocument load_yaml_file(const std::filesystem::path& path);
/// Parses YAML text; `source` names it in messages.
YamlDocument parse_yaml(const std::string& text, const std::string& source);

/// "file:line" for a node (1-based line), or just "file" when the node has no position.
std::string yaml_location(const std::string& source, const YAML::Node& node);

/// Reads one YAML mapping strictly: typed getters, range checks, and `finish()` rejects keys
/// that were never read, naming the closest allowed key.
///
///     YamlMap card(doc.root, doc.source, "model card");
///     int depth = card.get<int>("depth");
///     card.finish();
class YamlMap {
 public:
  YamlMap(const YAML::Node& node, std::string source, std::string what);

  [[nodiscard]] bool has(const std::string& key) const;
  /// The raw child node; marks the key as known.
  YAML::Node node(const std::string& key);
  /// A required child mapping, read as strictly as this one.
  YamlMap child(const std::string& key, const std::string& what);

  template <class T>
  T get(const std::string& key) {
    return convert<T>(require(key), key);
  }
  template <class T>
  T get_or(const std::string& key, T fallback) {
    allowed_.insert(key);
    return has(key) ? convert<T>(map_[key], key) : fallback;
  }

  /// Integer in [lo, hi]; doubles likewise. Errors name the key and the allowed range.
  long long get_int(const std::string& key, long long lo, long long hi);
  long long get_int_or(const std::string& key, long long fallback, long long lo, long long hi);
  double get_double(const std::string& key, double lo, double hi);
  double get_double_or(const std::string& key, double fallback, double lo, double hi);

  /// One of the named `choices`; an unknown name is an error listing them in the order given.
  ///
  ///     auto holds = map.get_choice<Holds>("holds", {{"weights", Holds::weights}, {"activations",
  ///     Holds::activations}});
  template <class E>
  E get_choice(const std::string& key, std::initializer_list<std::pair<const char*, std::type_identity_t<E>>> choices) {
    const auto text = get<std::string>(key);
    for (const auto& [name, value] : choices) {
      if (text == name) return value;
    }
    std::vector<std::string> names;
    for (const auto& choice : choices) names.emplace_back(choice.first);
    throw choice_error(key, text, names);
  }
  template <class E>
  E get_choice_or(const std::string& key,
                  std::initializer_list<std::pair<const char*, std::type_identity_t<E>>> choices, E fallback) {
    allowed_.insert(key);
    return has(key) ? get_choice<E>(key, choices) : fallback;
  }

  /// Declares a key as allowed without reading it (for keys read elsewhere).
  void allow(const std::string& key) { allowed_.insert(key); }
  /// Throws on any key that was neither read nor allowed.
  void finish() const;

  /// An error located at `key`'s value (or at the map if the key is absent).
  [[nodiscard]] Error error_at(const std::string& key, const std::string& message) const;
  [[nodiscard]] const std::string& source() const { return source_; }
  [[nodiscard]] const YAML::Node& yaml() const { return map_; }

 private:
  YAML::Node require(const std::string& key);
  [[nodiscard]] Error choice_error(const std::string& key, const std::string& text,
                                   const std::vector<std::string>& names) const;
  template <class T>
  T convert(const YAML::Node& value, const std::string& key) const {
    try {
      return value.as<T>();
    } catch (const YAML::Exception&) {
      throw error_at(key, "'" + key + "' has the wrong type for " + what_);
    }
  }

  YAML::Node map_;
  std::string source_;
  std::string what_;
  std::set<std::string> allowed_;
};

}  // namespace vitdse

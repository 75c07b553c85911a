// Design files: parse, validate against the model, resolve per layer, canonicalise and hash.
#include "vitdse/model/design.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <variant>

#include <nlohmann/json.hpp>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/core/yaml.hpp"

namespace vitdse::model {

namespace {

struct FieldInfo {
  Field bit;
  const char* key;
};
constexpr std::array<FieldInfo, 11> kFields{{{kMult, "mult"},
                                             {kWbits, "wbits"},
                                             {kAbits, "abits"},
                                             {kGelu, "gelu"},
                                             {kSoftmax, "softmax"},
                                             {kTokenKeep, "token_keep"},
                                             {kFfn2Prune, "ffn2_prune"},
                                             {kWquant, "wquant"},
                                             {kTransform, "transform"},
                                             {kFfn2Mode, "ffn2_mode"},
                                             {kDivide, "divide"}}};

// The text of each enumerated field's values, indexed by the enum's value.
constexpr std::array<const char*, 3> kWquantNames{"per-channel", "per-tensor", "per-channel-mse"};
constexpr std::array<const char*, 4> kTransformNames{"none", "migrate", "shift", "migrate+shift"};
constexpr std::array<const char*, 2> kFfn2ModeNames{"dynamic", "static"};
constexpr std::array<const char*, 2> kDivideNames{"exact", "log2"};

/// The value named `text`, or the reason there is none.
template <class E, std::size_t N>
std::variant<E, std::string> enum_of(const std::string& key, const std::string& text,
                                     const std::array<const char*, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<E>(i);
  }
  const std::vector<std::string> allowed(names.begin(), names.end());
  return "'" + key + "' is '" + text + "'" + did_you_mean(text, allowed) + "; allowed: " + join(allowed);
}

template <class E, std::size_t N>
E parse_enum(YamlMap& map, const std::string& key, const std::array<const char*, N>& names) {
  auto value = enum_of<E>(key, map.get<std::string>(key), names);
  if (const auto* why = std::get_if<std::string>(&value)) throw map.error_at(key, *why);
  return std::get<E>(value);
}

template <class E, std::size_t N>
E parse_text(const std::string& key, const std::string& text, const std::array<const char*, N>& names) {
  auto value = enum_of<E>(key, text, names);
  if (const auto* why = std::get_if<std::string>(&value)) throw Error(*why);
  return std::get<E>(value);
}

/// One level of the design file (defaults, a block entry or a layer entry).
struct Overrides {
  std::uint16_t set = 0;
  LayerSettings values;
  std::string where;  ///< file:line, for messages
};

/// The canonical spec of a GELU or softmax unit (defaults filled in), validated by the registry.
std::string check_nonlinear(YamlMap& map, const std::string& key) {
  const auto spec = map.get<std::string>(key);
  try {
    const auto unit = key == "gelu" ? std::unique_ptr<arith::NonlinearUnit>(arith::make_gelu(spec))
                                    : std::unique_ptr<arith::NonlinearUnit>(arith::make_softmax(spec));
    return unit->spec();
  } catch (const Error& e) {
    throw map.error_at(key, e.what());
  }
}

Overrides parse_overrides(const YAML::Node& node, const std::string& source, const std::string& what) {
  YamlMap map(node, source, what);
  Overrides o;
  LayerSettings& v = o.values;
  o.where = yaml_location(source, node);
  if (map.has("mult")) {
    const auto spec = map.get<std::string>("mult");
    try {
      v.mult = arith::make_multiplier(spec)->spec();
    } catch (const Error& e) {
      throw map.error_at("mult", e.what());
    }
    o.set |= kMult;
  }
  if (map.has("wbits")) v.wbits = static_cast<int>(map.get_int("wbits", 2, 16)), o.set |= kWbits;
  if (map.has("abits")) v.abits = static_cast<int>(map.get_int("abits", 2, 16)), o.set |= kAbits;
  if (map.has("gelu")) v.gelu = check_nonlinear(map, "gelu"), o.set |= kGelu;
  if (map.has("softmax")) v.softmax = check_nonlinear(map, "softmax"), o.set |= kSoftmax;
  if (map.has("token_keep")) {
    v.token_keep = map.get_double("token_keep", 0.0, 1.0);
    if (v.token_keep <= 0.0)
      throw map.error_at("token_keep", "'token_keep' must be in (0, 1]; 0 would drop every patch token");
    o.set |= kTokenKeep;
  }
  if (map.has("ffn2_prune")) {
    v.ffn2_prune = map.get_double("ffn2_prune", 0.0, 1.0);
    if (v.ffn2_prune >= 1.0)
      throw map.error_at("ffn2_prune", "'ffn2_prune' must be in [0, 1); 1 would skip every hidden unit");
    o.set |= kFfn2Prune;
  }
  if (map.has("wquant")) v.wquant = parse_enum<WeightQuant>(map, "wquant", kWquantNames), o.set |= kWquant;
  if (map.has("transform"))
    v.transform = parse_enum<InputTransform>(map, "transform", kTransformNames), o.set |= kTransform;
  if (map.has("ffn2_mode")) v.ffn2_mode = parse_enum<Ffn2Mode>(map, "ffn2_mode", kFfn2ModeNames), o.set |= kFfn2Mode;
  if (map.has("divide")) v.divide = parse_enum<Divide>(map, "divide", kDivideNames), o.set |= kDivide;
  for (const auto& f : kFields) map.allow(f.key);
  map.finish();
  return o;
}

/// "3" or "3-5" -> inclusive range, bounds-checked against the model's blocks.
std::pair<int, int> parse_block_range(const std::string& key, const std::string& where, int blocks) {
  const auto parts = split(key, '-');
  if (parts.size() > 2) throw Error(where + ": block range '" + key + "' must be an index or 'first-last'");
  int first = 0, last = 0;
  try {
    first = static_cast<int>(parse_int(parts[0], "block index"));
    last = parts.size() == 2 ? static_cast<int>(parse_int(parts[1], "block index")) : first;
  } catch (const Error&) {
    throw Error(where + ": block range '" + key + "' must be an index or 'first-last', e.g. \"3-5\"");
  }
  if (first < 0 || last < first || last >= blocks) {
    throw Error(where + ": block range '" + key + "' is out of bounds; the model has blocks 0.." +
                std::to_string(blocks - 1));
  }
  return {first, last};
}

void apply(const Overrides& o, std::uint16_t mask, Overrides& into) {
  const std::uint16_t take = o.set & mask;
  const LayerSettings& from = o.values;
  LayerSettings& to = into.values;
  if ((take & kMult) != 0) to.mult = from.mult;
  if ((take & kWbits) != 0) to.wbits = from.wbits;
  if ((take & kAbits) != 0) to.abits = from.abits;
  if ((take & kGelu) != 0) to.gelu = from.gelu;
  if ((take & kSoftmax) != 0) to.softmax = from.softmax;
  if ((take & kTokenKeep) != 0) to.token_keep = from.token_keep;
  if ((take & kFfn2Prune) != 0) to.ffn2_prune = from.ffn2_prune;
  if ((take & kWquant) != 0) to.wquant = from.wquant;
  if ((take & kTransform) != 0) to.transform = from.transform;
  if ((take & kFfn2Mode) != 0) to.ffn2_mode = from.ffn2_mode;
  if ((take & kDivide) != 0) to.divide = from.divide;
  into.set |= take;
  if (take != 0) into.where = o.where;
}

std::string fields_text(std::uint16_t mask) {
  std::vector<std::string> names;
  for (const auto& f : kFields) {
    if ((mask & f.bit) != 0) names.push_back(f.key);
  }
  return names.empty() ? "none" : join(names);
}

Overrides builtin_defaults() {
  Overrides o;
  o.values.mult = "exact:8s";
  o.values.wbits = 8;
  o.values.abits = 8;
  o.values.gelu = "gelu:exact";
  o.values.softmax = "softmax:exact";
  o.set = kAllFields;
  return o;
}

Design resolve(const Workload& w, const Overrides& defaults, const std::vector<std::vector<Overrides>>& per_block,
               const std::map<int, Overrides>& per_layer) {
  const auto& layers = w.layers();
  std::vector<LayerSettings> settings(layers.size());
  std::vector<std::string> where(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& layer = layers[i];
    Overrides r;
    apply(defaults, layer.fields, r);
    if (layer.block >= 0) {
      for (const auto& o : per_block[static_cast<std::size_t>(layer.block)]) apply(o, layer.fields, r);
    }
    if (auto it = per_layer.find(static_cast<int>(i)); it != per_layer.end()) apply(it->second, layer.fields, r);
    settings[i] = std::move(r.values);
    where[i] = std::move(r.where);
  }
  return make_design(w, settings, where);
}

std::int16_t intern(std::vector<std::string>& table, const std::string& value) {
  const auto it = std::find(table.begin(), table.end(), value);
  if (it != table.end()) return static_cast<std::int16_t>(it - table.begin());
  table.push_back(value);
  return static_cast<std::int16_t>(table.size() - 1);
}

template <class E, std::size_t N>
std::string name_of(E value, const std::array<const char*, N>& names) {
  return names[static_cast<std::size_t>(value)];
}

}  // namespace

std::string to_string(WeightQuant v) { return name_of(v, kWquantNames); }
std::string to_string(InputTransform v) { return name_of(v, kTransformNames); }
std::string to_string(Ffn2Mode v) { return name_of(v, kFfn2ModeNames); }
std::string to_string(Divide v) { return name_of(v, kDivideNames); }
WeightQuant parse_weight_quant(const std::string& text) {
  return parse_text<WeightQuant>("wquant", text, kWquantNames);
}
InputTransform parse_input_transform(const std::string& text) {
  return parse_text<InputTransform>("transform", text, kTransformNames);
}
Divide parse_divide(const std::string& text) { return parse_text<Divide>("divide", text, kDivideNames); }

Design make_design(const Workload& w, std::span<const LayerSettings> settings, std::span<const std::string> where) {
  const auto& layers = w.layers();
  if (settings.size() != layers.size()) {
    throw Error("a design of model '" + w.card().name + "' needs settings for " + std::to_string(layers.size()) +
                " layers, not " + std::to_string(settings.size()));
  }
  Design d;
  d.layers.resize(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& layer = layers[i];
    const LayerSettings& s = settings[i];
    const std::uint16_t f = layer.fields;
    LayerChoice& c = d.layers[i];
    if ((f & kMult) != 0) {
      c.mult = intern(d.units, s.mult);
      const int width = arith::multiplier_width(s.mult).bits;
      const int need = std::max((f & kWbits) != 0 ? s.wbits : 0, s.abits);
      if (need > width) {
        const std::string source = i < where.size() && !where[i].empty() ? where[i] + ": " : "";
        throw Error(source + "layer '" + layer.name + "' uses " + std::to_string(need) + "-bit operands on the " +
                    std::to_string(width) + "-bit multiplier '" + s.mult +
                    "'; lower wbits/abits or choose a wider multiplier");
      }
    }
    if ((f & kWbits) != 0) c.wbits = static_cast<std::int8_t>(s.wbits);
    if ((f & kAbits) != 0) c.abits = static_cast<std::int8_t>(s.abits);
    if ((f & kGelu) != 0) c.gelu = intern(d.nonlinear, s.gelu);
    if ((f & kSoftmax) != 0) c.softmax = intern(d.nonlinear, s.softmax);
    if ((f & kTokenKeep) != 0) c.token_keep = s.token_keep;
    if ((f & kFfn2Prune) != 0) c.ffn2_prune = s.ffn2_prune;
    if ((f & kWquant) != 0) c.wquant = s.wquant;
    if ((f & kTransform) != 0) c.transform = s.transform;
    if ((f & kFfn2Mode) != 0) c.ffn2_mode = s.ffn2_mode;
    if ((f & kDivide) != 0) c.divide = s.divide;
  }
  return d;
}

LayerSettings layer_settings(const Design& d, std::size_t i) {
  const LayerChoice& c = d.layers[i];
  LayerSettings s;
  if (c.mult >= 0) s.mult = d.units[static_cast<std::size_t>(c.mult)];
  if (c.gelu >= 0) s.gelu = d.nonlinear[static_cast<std::size_t>(c.gelu)];
  if (c.softmax >= 0) s.softmax = d.nonlinear[static_cast<std::size_t>(c.softmax)];
  s.wbits = c.wbits;
  s.abits = c.abits;
  s.token_keep = c.token_keep;
  s.ffn2_prune = c.ffn2_prune;
  s.wquant = c.wquant;
  s.transform = c.transform;
  s.ffn2_mode = c.ffn2_mode;
  s.divide = c.divide;
  return s;
}

std::vector<double> Design::keep_after_block(const Workload& w) const {
  std::vector<double> keep(static_cast<std::size_t>(w.block_count()), 1.0);
  const auto& wl = w.layers();
  for (std::size_t i = 0; i < wl.size(); ++i) {
    if ((wl[i].fields & kTokenKeep) != 0) keep[static_cast<std::size_t>(wl[i].block)] = layers[i].token_keep;
  }
  return keep;
}

LayerCounts design_counts(const Workload& w, const Design& d, std::size_t i, std::span<const std::int64_t> schedule) {
  const Layer& layer = w.layers()[i];
  const LayerChoice& c = d.layers[i];
  const double ffn2_keep = (layer.fields & kFfn2Prune) != 0 ? 1.0 - c.ffn2_prune : 1.0;
  const std::int64_t tokens = w.tokens_for(i, schedule);
  LayerCounts counts = w.counts(i, tokens, ffn2_keep);
  if (ffn2_keep < 1.0 && c.ffn2_mode == Ffn2Mode::dynamic) {
    // Each token keeps its own units, so any weight row may be needed: all of fc2 is stored.
    const LayerCounts full = w.counts(i, tokens, 1.0);
    counts.dynamic_skip = c.ffn2_prune;
    counts.stored_k = full.k;
    counts.weight_elems = full.weight_elems;
    counts.selected = static_cast<double>(full.groups * full.m * full.k);
  }
  if ((layer.fields & kGelu) != 0 && d.nonlinear[static_cast<std::size_t>(c.gelu)] == "gelu:relu") {
    counts.nonlinear.erf = 0;
  }
  if ((layer.fields & kDivide) != 0 && c.divide == Divide::log2) counts.nonlinear.div = 0;  // a shift
  return counts;
}

Design default_design(const Workload& workload) {
  return resolve(workload, builtin_defaults(),
                 std::vector<std::vector<Overrides>>(static_cast<std::size_t>(workload.block_count())), {});
}

static Design parse_design_document(const YamlDocument& doc, const Workload& w) {
  const std::string& source = doc.source;
  YamlMap top(doc.root, source, "design file");
  // Optional, so that a canonical design (JSON, which is YAML) is itself a design file.
  top.get_int_or("version", 1, 1, 1);

  Overrides defaults = builtin_defaults();
  if (top.has("defaults")) {
    apply(parse_overrides(top.node("defaults"), source, "design defaults"), kAllFields, defaults);
  }
  top.allow("defaults");

  std::vector<std::vector<Overrides>> per_block(static_cast<std::size_t>(w.block_count()));
  if (top.has("blocks")) {
    const auto blocks = top.node("blocks");
    if (!blocks.IsMap()) throw top.error_at("blocks", "'blocks' must map block indices or ranges to overrides");
    const YamlMap checked(blocks, source, "'blocks'");  // rejects keys that are not scalars
    std::vector<std::uint16_t> claimed(per_block.size(), 0);
    for (const auto& entry : checked.yaml()) {
      const auto key = entry.first.as<std::string>();
      const auto where = yaml_location(source, entry.first);
      const auto [first, last] = parse_block_range(key, where, w.block_count());
      const Overrides o = parse_overrides(entry.second, source, "block entry '" + key + "'");
      for (int b = first; b <= last; ++b) {
        auto& mask = claimed[static_cast<std::size_t>(b)];
        if ((mask & o.set) != 0) {
          throw Error(where + ": block entry '" + key + "' sets " + fields_text(mask & o.set) + " on block " +
                      std::to_string(b) + ", which another block entry already sets");
        }
        mask |= o.set;
        per_block[static_cast<std::size_t>(b)].push_back(o);
      }
    }
  }
  top.allow("blocks");

  std::map<int, Overrides> per_layer;
  if (top.has("layers")) {
    const auto layers = top.node("layers");
    if (!layers.IsMap()) throw top.error_at("layers", "'layers' must map layer names to overrides");
    const YamlMap checked(layers, source, "'layers'");  // rejects keys that are not scalars
    std::vector<std::string> names;
    for (const auto& l : w.layers()) names.push_back(l.name);
    for (const auto& entry : checked.yaml()) {
      const auto name = entry.first.as<std::string>();
      const auto where = yaml_location(source, entry.first);
      const int index = w.find(name);
      if (index < 0) {
        throw Error(where + ": model '" + w.card().name + "' has no layer '" + name + "'" + did_you_mean(name, names) +
                    "; run 'vitdse workload --model " + w.card().name + "' to list them");
      }
      const Overrides o = parse_overrides(entry.second, source, "layer entry '" + name + "'");
      const Layer& layer = w.layers()[static_cast<std::size_t>(index)];
      if (const std::uint16_t bad = o.set & static_cast<std::uint16_t>(~layer.fields); bad != 0) {
        throw Error(where + ": " + fields_text(bad) + " does not apply to layer '" + name + "' (" +
                    to_string(layer.kind) + "); it accepts: " + fields_text(layer.fields));
      }
      per_layer[index] = o;
    }
  }
  top.allow("layers");
  top.finish();
  return resolve(w, defaults, per_block, per_layer);
}

Design parse_design(const std::string& yaml_text, const std::string& source, const Workload& workload) {
  return parse_design_document(parse_yaml(yaml_text, source), workload);
}

Design load_design(const std::filesystem::path& path, const Workload& workload) {
  return parse_design_document(load_yaml_file(path), workload);
}

namespace {

nlohmann::json layer_entry(const Design& d, const Workload& w, std::size_t i) {
  const LayerChoice& c = d.layers[i];
  nlohmann::json entry = nlohmann::json::object();
  const std::uint16_t f = w.layers()[i].fields;
  if ((f & kMult) != 0) entry["mult"] = d.units[static_cast<std::size_t>(c.mult)];
  if ((f & kWbits) != 0) entry["wbits"] = c.wbits;
  if ((f & kAbits) != 0) entry["abits"] = c.abits;
  if ((f & kGelu) != 0) entry["gelu"] = d.nonlinear[static_cast<std::size_t>(c.gelu)];
  if ((f & kSoftmax) != 0) entry["softmax"] = d.nonlinear[static_cast<std::size_t>(c.softmax)];
  if ((f & kTokenKeep) != 0) entry["token_keep"] = c.token_keep;
  if ((f & kFfn2Prune) != 0) entry["ffn2_prune"] = c.ffn2_prune;
  if ((f & kWquant) != 0 && c.wquant != WeightQuant::per_channel) entry["wquant"] = to_string(c.wquant);
  if ((f & kTransform) != 0 && c.transform != InputTransform::none) entry["transform"] = to_string(c.transform);
  if ((f & kFfn2Mode) != 0 && c.ffn2_mode != Ffn2Mode::dynamic && c.ffn2_prune > 0.0) {
    entry["ffn2_mode"] = to_string(c.ffn2_mode);
  }
  if ((f & kDivide) != 0 && c.divide != Divide::exact) entry["divide"] = to_string(c.divide);
  return entry;
}

}  // namespace

std::string canonical_layer_json(const Design& d, const Workload& w, std::size_t i) {
  return layer_entry(d, w, i).dump();
}

std::vector<std::string> stage_keys(const Design& design, const Workload& workload) {
  std::vector<std::string> keys(static_cast<std::size_t>(workload.block_count()) + 1);
  const auto& layers = workload.layers();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].name == "patch_embed") {
      keys[0] += canonical_layer_json(design, workload, i);
    } else if (layers[i].block >= 0) {
      keys[static_cast<std::size_t>(layers[i].block) + 1] += canonical_layer_json(design, workload, i);
    }
  }
  return keys;
}

std::string canonical_json(const Design& d, const Workload& w) {
  nlohmann::json layers = nlohmann::json::object();
  const auto& wl = w.layers();
  for (std::size_t i = 0; i < wl.size(); ++i) {
    auto entry = layer_entry(d, w, i);
    if (!entry.empty()) layers[wl[i].name] = std::move(entry);
  }
  return nlohmann::json{{"layers", std::move(layers)}}.dump();
}

std::string design_hash(const Design& design, const Workload& workload) {
  return short_hash(canonical_json(design, workload));
}

}  // namespace vitdse::model

// Design files: parse, validate against the model, resolve per layer, canonicalise and hash.
#include "vitdse/model/design.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

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
constexpr std::array<FieldInfo, 7> kFields{{{kMult, "mult"},
                                            {kWbits, "wbits"},
                                            {kAbits, "abits"},
                                            {kGelu, "gelu"},
                                            {kSoftmax, "softmax"},
                                            {kTokenKeep, "token_keep"},
                                            {kFfn2Prune, "ffn2_prune"}}};

/// One level of the design file (defaults, a block entry or a layer entry).
struct Overrides {
  std::uint8_t set = 0;
  std::string mult, gelu, softmax;
  int wbits = 0, abits = 0;
  double token_keep = 1.0, ffn2_prune = 0.0;
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
  o.where = yaml_location(source, node);
  if (map.has("mult")) {
    const auto spec = map.get<std::string>("mult");
    try {
      o.mult = arith::make_multiplier(spec)->spec();
    } catch (const Error& e) {
      throw map.error_at("mult", e.what());
    }
    o.set |= kMult;
  }
  if (map.has("wbits")) o.wbits = static_cast<int>(map.get_int("wbits", 2, 16)), o.set |= kWbits;
  if (map.has("abits")) o.abits = static_cast<int>(map.get_int("abits", 2, 16)), o.set |= kAbits;
  if (map.has("gelu")) o.gelu = check_nonlinear(map, "gelu"), o.set |= kGelu;
  if (map.has("softmax")) o.softmax = check_nonlinear(map, "softmax"), o.set |= kSoftmax;
  if (map.has("token_keep")) {
    o.token_keep = map.get_double("token_keep", 0.0, 1.0);
    if (o.token_keep <= 0.0)
      throw map.error_at("token_keep", "'token_keep' must be in (0, 1]; 0 would drop every patch token");
    o.set |= kTokenKeep;
  }
  if (map.has("ffn2_prune")) {
    o.ffn2_prune = map.get_double("ffn2_prune", 0.0, 1.0);
    if (o.ffn2_prune >= 1.0)
      throw map.error_at("ffn2_prune", "'ffn2_prune' must be in [0, 1); 1 would skip every hidden unit");
    o.set |= kFfn2Prune;
  }
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

void apply(const Overrides& o, std::uint8_t mask, Overrides& into) {
  const std::uint8_t take = o.set & mask;
  if ((take & kMult) != 0) into.mult = o.mult;
  if ((take & kWbits) != 0) into.wbits = o.wbits;
  if ((take & kAbits) != 0) into.abits = o.abits;
  if ((take & kGelu) != 0) into.gelu = o.gelu;
  if ((take & kSoftmax) != 0) into.softmax = o.softmax;
  if ((take & kTokenKeep) != 0) into.token_keep = o.token_keep;
  if ((take & kFfn2Prune) != 0) into.ffn2_prune = o.ffn2_prune;
  into.set |= take;
}

std::string fields_text(std::uint8_t mask) {
  std::vector<std::string> names;
  for (const auto& f : kFields) {
    if ((mask & f.bit) != 0) names.push_back(f.key);
  }
  return names.empty() ? "none" : join(names);
}

std::int16_t intern(std::vector<std::string>& table, const std::string& value) {
  const auto it = std::find(table.begin(), table.end(), value);
  if (it != table.end()) return static_cast<std::int16_t>(it - table.begin());
  table.push_back(value);
  return static_cast<std::int16_t>(table.size() - 1);
}

Overrides builtin_defaults() {
  Overrides o;
  o.mult = "exact:8s";
  o.wbits = 8;
  o.abits = 8;
  o.gelu = "gelu:exact";
  o.softmax = "softmax:exact";
  o.set = 0x7F;
  return o;
}

Design resolve(const Workload& w, const Overrides& defaults, const std::vector<std::vector<Overrides>>& per_block,
               const std::map<int, Overrides>& per_layer) {
  Design d;
  const auto& layers = w.layers();
  d.layers.resize(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& layer = layers[i];
    Overrides r;
    apply(defaults, layer.fields, r);
    if (layer.block >= 0) {
      for (const auto& o : per_block[static_cast<std::size_t>(layer.block)]) apply(o, layer.fields, r);
    }
    if (auto it = per_layer.find(static_cast<int>(i)); it != per_layer.end()) apply(it->second, layer.fields, r);
    LayerChoice& c = d.layers[i];
    if ((layer.fields & kMult) != 0) {
      c.mult = intern(d.units, r.mult);
      const int width = arith::make_multiplier(r.mult)->bits();
      const int need = std::max((layer.fields & kWbits) != 0 ? r.wbits : 0, r.abits);
      if (need > width) {
        throw Error(r.where + ": layer '" + layer.name + "' uses " + std::to_string(need) + "-bit operands on the " +
                    std::to_string(width) + "-bit multiplier '" + r.mult +
                    "'; lower wbits/abits or choose a wider multiplier");
      }
    }
    if ((layer.fields & kWbits) != 0) c.wbits = static_cast<std::int8_t>(r.wbits);
    if ((layer.fields & kAbits) != 0) c.abits = static_cast<std::int8_t>(r.abits);
    if ((layer.fields & kGelu) != 0) c.gelu = intern(d.nonlinear, r.gelu);
    if ((layer.fields & kSoftmax) != 0) c.softmax = intern(d.nonlinear, r.softmax);
    if ((layer.fields & kTokenKeep) != 0) c.token_keep = r.token_keep;
    if ((layer.fields & kFfn2Prune) != 0) c.ffn2_prune = r.ffn2_prune;
  }
  return d;
}

}  // namespace

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
  LayerCounts counts = w.counts(i, w.tokens_for(i, schedule), ffn2_keep);
  if ((layer.fields & kGelu) != 0 && d.nonlinear[static_cast<std::size_t>(c.gelu)] == "gelu:relu") {
    counts.nonlinear.erf = 0;
  }
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
  if (top.has("defaults")) apply(parse_overrides(top.node("defaults"), source, "design defaults"), 0x7F, defaults);
  top.allow("defaults");

  std::vector<std::vector<Overrides>> per_block(static_cast<std::size_t>(w.block_count()));
  if (top.has("blocks")) {
    const auto blocks = top.node("blocks");
    if (!blocks.IsMap()) throw top.error_at("blocks", "'blocks' must map block indices or ranges to overrides");
    std::vector<std::uint8_t> claimed(per_block.size(), 0);
    for (const auto& entry : blocks) {
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
    std::vector<std::string> names;
    for (const auto& l : w.layers()) names.push_back(l.name);
    for (const auto& entry : layers) {
      const auto name = entry.first.as<std::string>();
      const auto where = yaml_location(source, entry.first);
      const int index = w.find(name);
      if (index < 0) {
        throw Error(where + ": model '" + w.card().name + "' has no layer '" + name + "'" + did_you_mean(name, names) +
                    "; run 'vitdse workload --model " + w.card().name + "' to list them");
      }
      const Overrides o = parse_overrides(entry.second, source, "layer entry '" + name + "'");
      const Layer& layer = w.layers()[static_cast<std::size_t>(index)];
      if (const std::uint8_t bad = o.set & static_cast<std::uint8_t>(~layer.fields); bad != 0) {
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

std::string canonical_json(const Design& d, const Workload& w) {
  nlohmann::json layers = nlohmann::json::object();
  const auto& wl = w.layers();
  for (std::size_t i = 0; i < wl.size(); ++i) {
    const LayerChoice& c = d.layers[i];
    nlohmann::json entry = nlohmann::json::object();
    const std::uint8_t f = wl[i].fields;
    if ((f & kMult) != 0) entry["mult"] = d.units[static_cast<std::size_t>(c.mult)];
    if ((f & kWbits) != 0) entry["wbits"] = c.wbits;
    if ((f & kAbits) != 0) entry["abits"] = c.abits;
    if ((f & kGelu) != 0) entry["gelu"] = d.nonlinear[static_cast<std::size_t>(c.gelu)];
    if ((f & kSoftmax) != 0) entry["softmax"] = d.nonlinear[static_cast<std::size_t>(c.softmax)];
    if ((f & kTokenKeep) != 0) entry["token_keep"] = c.token_keep;
    if ((f & kFfn2Prune) != 0) entry["ffn2_prune"] = c.ffn2_prune;
    if (!entry.empty()) layers[wl[i].name] = std::move(entry);
  }
  return nlohmann::json{{"layers", std::move(layers)}}.dump();
}

std::string design_hash(const Design& design, const Workload& workload) {
  return short_hash(canonical_json(design, workload));
}

}  // namespace vitdse::model

// Search policies: parsing, resolving variables over a workload, and the rollout prior.
#include "vitdse/search/policy.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <spdlog/fmt/fmt.h>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/resources.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/core/yaml.hpp"

namespace vitdse::search {

namespace {

struct FieldName {
  model::Field field;
  const char* name;
};
constexpr FieldName kFieldNames[] = {{model::kMult, "mult"},
                                     {model::kWbits, "wbits"},
                                     {model::kAbits, "abits"},
                                     {model::kGelu, "gelu"},
                                     {model::kSoftmax, "softmax"},
                                     {model::kTokenKeep, "token_keep"},
                                     {model::kFfn2Prune, "ffn2_prune"},
                                     {model::kWquant, "wquant"},
                                     {model::kTransform, "transform"},
                                     {model::kDivide, "divide"}};

std::string field_name(model::Field f) {
  for (const auto& n : kFieldNames) {
    if (n.field == f) return n.name;
  }
  return "?";
}

/// A choice in its canonical text; the registries and ranges of design files apply.
std::string canonical_choice(model::Field field, const std::string& text) {
  switch (field) {
    case model::kMult:
      return arith::make_multiplier(text)->spec();
    case model::kGelu:
      return arith::make_gelu(text)->spec();
    case model::kSoftmax:
      return arith::make_softmax(text)->spec();
    case model::kWbits:
    case model::kAbits: {
      const long long bits = parse_int(text, "bits");
      if (bits < 2 || bits > 16) throw Error("bits " + text + " are out of range 2..16");
      return std::to_string(bits);
    }
    case model::kTokenKeep: {
      const double keep = parse_double(text, "token_keep");
      if (!(keep > 0 && keep <= 1)) throw Error("token_keep " + text + " must be in (0, 1]");
      return fmt::format("{}", keep);  // the shortest text that reads back as the same double
    }
    case model::kFfn2Prune: {
      const double prune = parse_double(text, "ffn2_prune");
      if (!(prune >= 0 && prune < 1)) throw Error("ffn2_prune " + text + " must be in [0, 1)");
      return fmt::format("{}", prune);
    }
    case model::kWquant:
      return model::to_string(model::parse_weight_quant(text));
    case model::kTransform:
      return model::to_string(model::parse_input_transform(text));
    case model::kDivide:
      return model::to_string(model::parse_divide(text));
    default:
      break;  // fields policies do not vary (kFieldNames)
  }
  return text;
}

VariableSpec parse_variable(const YAML::Node& node, const std::string& source) {
  YamlMap map(node, source, "policy variable");
  VariableSpec v;
  v.where = yaml_location(source, node);
  const auto field = map.get<std::string>("field");
  std::vector<std::string> names;
  bool found = false;
  for (const auto& n : kFieldNames) {
    names.emplace_back(n.name);
    if (field == n.name) v.field = n.field, found = true;
  }
  if (!found)
    throw map.error_at("field",
                       "unknown field '" + field + "'" + did_you_mean(field, names) + "; fields: " + join(names));
  v.per = map.get_choice_or("per", {{"layer", Tie::layer}, {"block", Tie::block}, {"all", Tie::all}}, Tie::block);
  if (map.has("layers")) v.layers = map.get<std::vector<std::string>>("layers");
  if (map.has("blocks")) {
    const auto range = map.get<std::string>("blocks");
    const auto parts = split(range, '-');
    try {
      v.first_block = static_cast<int>(parse_int(parts.at(0), "block"));
      v.last_block = parts.size() == 2 ? static_cast<int>(parse_int(parts.at(1), "block")) : v.first_block;
    } catch (const std::exception&) {
      throw map.error_at("blocks", "'blocks' must be an index or 'first-last', e.g. \"1-3\"");
    }
    if (parts.size() > 2 || v.first_block < 0 || v.last_block < v.first_block) {
      throw map.error_at("blocks", "'blocks' must be an index or 'first-last', e.g. \"1-3\"");
    }
  }
  for (const auto& c : map.get<std::vector<std::string>>("choices")) {
    try {
      v.choices.push_back(canonical_choice(v.field, c));
    } catch (const Error& e) {
      throw map.error_at("choices", e.what());
    }
  }
  if (v.choices.empty()) throw map.error_at("choices", "'choices' must list at least one value");
  for (std::size_t i = 0; i < v.choices.size(); ++i) {
    if (std::count(v.choices.begin(), v.choices.end(), v.choices[i]) > 1) {
      throw map.error_at("choices", "choice '" + v.choices[i] + "' is listed twice");
    }
  }
  map.finish();
  return v;
}

SensitivityTable read_sensitivity(const std::filesystem::path& path, const std::string& unit) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open sensitivity table '" + path.string() + "'");
  SensitivityTable t;
  t.unit = arith::make_multiplier(unit)->spec();
  std::string line;
  std::getline(in, line);
  const auto header = split(line, ',');
  const auto layer_col = std::find(header.begin(), header.end(), "layer") - header.begin();
  const auto drop_col = std::find(header.begin(), header.end(), "top1_drop_pp") - header.begin();
  if (static_cast<std::size_t>(std::max(layer_col, drop_col)) >= header.size()) {
    throw Error(path.string() +
                ": a sensitivity table needs 'layer' and 'top1_drop_pp' columns (vitdse sensitivity --csv)");
  }
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto cells = split(line, ',');
    if (cells.size() != header.size())
      throw Error(path.string() + ": a row has " + std::to_string(cells.size()) + " cells, the header " +
                  std::to_string(header.size()));
    t.drop_pp.emplace_back(cells[static_cast<std::size_t>(layer_col)],
                           parse_double(cells[static_cast<std::size_t>(drop_col)], "top1_drop_pp"));
  }
  return t;
}

PriorOptions parse_prior(YamlMap map, const std::filesystem::path& folder) {
  PriorOptions p;
  p.cost_weight = map.get_double_or("cost_weight", p.cost_weight, 0, 100);
  p.sensitivity_weight = map.get_double_or("sensitivity_weight", p.sensitivity_weight, 0, 100);
  if (map.has("sensitivity")) {
    const auto list = map.node("sensitivity");
    if (!list.IsSequence()) throw map.error_at("sensitivity", "'sensitivity' must list {unit, file} entries");
    for (const auto& entry : list) {
      YamlMap e(entry, map.source(), "sensitivity entry");
      const auto unit = e.get<std::string>("unit");
      const std::filesystem::path file = e.get<std::string>("file");
      e.finish();
      try {
        p.sensitivity.push_back(read_sensitivity(file.is_absolute() ? file : folder / file, unit));
      } catch (const Error& err) {
        throw Error(yaml_location(map.source(), entry) + ": " + err.what());
      }
    }
  }
  map.finish();
  return p;
}

/// Whether a layer's name (without its "blocks.i." prefix) matches any pattern; no patterns: all.
bool layer_matches(const model::Layer& layer, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  std::string local = layer.name;
  if (layer.block >= 0) local = local.substr(local.find('.', 7) + 1);
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) {
    return fnmatch(p.c_str(), local.c_str(), 0) == 0 || fnmatch(p.c_str(), layer.name.c_str(), 0) == 0;
  });
}

std::string patterns_text(const std::vector<std::string>& patterns) {
  return patterns.empty() ? "" : " (" + join(patterns) + ")";
}

}  // namespace

Policy parse_policy(const std::string& yaml_text, const std::string& source) {
  const auto doc = parse_yaml(yaml_text, source);
  YamlMap top(doc.root, doc.source, "policy");
  top.get_int("version", 1, 1);
  Policy p;
  p.source = source;
  p.name = top.get<std::string>("name");
  p.description = top.get_or<std::string>("description", "");
  p.model = top.get_or<std::string>("model", p.model);
  p.arch = top.get_or<std::string>("arch", p.arch);
  try {
    if (top.has("objectives"))
      p.objectives = parse_objectives(join(top.get<std::vector<std::string>>("objectives"), ","));
  } catch (const Error& e) {
    throw top.error_at("objectives", e.what());
  }
  if (top.has("constraints")) {
    for (const auto& c : top.get<std::vector<std::string>>("constraints")) {
      try {
        p.constraints.push_back(parse_constraint(c));
      } catch (const Error& e) {
        throw top.error_at("constraints", e.what());
      }
    }
  }
  p.drop_scale_pp = top.get_double_or("drop_scale_pp", p.drop_scale_pp, 0.01, 100);
  p.images = static_cast<std::size_t>(top.get_int_or("images", static_cast<long long>(p.images), 1, 1000000));
  if (top.has("base")) {
    YAML::Node base = YAML::Clone(top.node("base"));
    if (!base.IsMap()) throw top.error_at("base", "'base' must be a design (defaults/blocks/layers)");
    if (!base["version"]) base["version"] = 1;
    p.base_yaml = YAML::Dump(base);
  }
  const auto vars = top.node("variables");
  if (!vars.IsSequence() || vars.size() == 0)
    throw top.error_at("variables", "'variables' must list at least one variable");
  for (const auto& v : vars) p.variables.push_back(parse_variable(v, source));
  const auto folder = std::filesystem::path(source).parent_path();
  if (top.has("prior")) p.prior = parse_prior(top.child("prior", "prior"), folder);
  top.finish();
  return p;
}

Policy load_policy(const std::string& name_or_path) {
  const auto path = resolve_resource(name_or_path, "policies", "policy");
  const auto doc = load_yaml_file(path);
  return parse_policy(doc.text, path.string());
}

DesignSpace make_space(const Policy& policy, const model::Workload& workload) {
  const model::Design base = policy.base_yaml.empty()
                                 ? model::default_design(workload)
                                 : model::parse_design(policy.base_yaml, policy.source + " (base)", workload);
  const auto& layers = workload.layers();
  std::vector<Variable> variables;
  for (const auto& spec : policy.variables) {
    if (spec.last_block >= workload.block_count()) {
      throw Error(spec.where + ": blocks " + std::to_string(spec.first_block) + "-" + std::to_string(spec.last_block) +
                  " are out of range; the model has blocks 0.." + std::to_string(workload.block_count() - 1));
    }
    std::vector<int> picked;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const auto& l = layers[i];
      const bool in_blocks = spec.first_block < 0 || (l.block >= spec.first_block && l.block <= spec.last_block);
      if ((l.fields & spec.field) != 0 && in_blocks && layer_matches(l, spec.layers))
        picked.push_back(static_cast<int>(i));
    }
    if (picked.empty()) {
      throw Error(spec.where + ": no layer of " + workload.card().name + " takes '" + field_name(spec.field) +
                  "' and matches" + patterns_text(spec.layers));
    }
    const std::string what = field_name(spec.field) + patterns_text(spec.layers);
    auto add = [&](std::string name, std::vector<int> tied) {
      variables.push_back(Variable{std::move(name), spec.field, std::move(tied), spec.choices, {}});
    };
    if (spec.per == Tie::all) {
      add("all " + what, picked);
    } else if (spec.per == Tie::layer) {
      for (const int i : picked) add(layers[static_cast<std::size_t>(i)].name + " " + field_name(spec.field), {i});
    } else {
      for (int b = 0; b < workload.block_count(); ++b) {
        std::vector<int> tied;
        for (const int i : picked) {
          if (layers[static_cast<std::size_t>(i)].block == b) tied.push_back(i);
        }
        if (!tied.empty()) add("blocks." + std::to_string(b) + " " + what, tied);
      }
      for (const int i : picked) {
        if (layers[static_cast<std::size_t>(i)].block < 0)
          add(layers[static_cast<std::size_t>(i)].name + " " + field_name(spec.field), {i});
      }
    }
  }
  return DesignSpace(workload, base, std::move(variables), policy.source);
}

void assign_prior(DesignSpace& space, const cost::CostModel& cost, const PriorOptions& options) {
  const Point reference(space.variables().size(), 0);
  const double base_energy = cost.evaluate(space.design(reference)).energy.total_uJ();
  const auto& layers = space.workload().layers();
  for (std::size_t v = 0; v < space.variables().size(); ++v) {
    Variable& var = space.variables()[v];
    std::vector<double> logw(var.choices.size());
    for (std::size_t c = 0; c < var.choices.size(); ++c) {
      Point p = reference;
      p[v] = static_cast<int>(c);
      const double saving_pct = 100.0 * (base_energy - cost.evaluate(space.design(p)).energy.total_uJ()) / base_energy;
      double drop = 0;
      for (const auto& table : options.sensitivity) {
        if (var.field != model::kMult || table.unit != var.choices[c]) continue;
        for (const int i : var.layers) {
          for (const auto& [name, d] : table.drop_pp)
            drop += name == layers[static_cast<std::size_t>(i)].name ? d : 0.0;
        }
      }
      logw[c] = options.cost_weight * saving_pct - options.sensitivity_weight * drop;
    }
    const double top = *std::max_element(logw.begin(), logw.end());
    double sum = 0;
    for (auto& w : logw) sum += (w = std::exp(w - top));
    var.prior.resize(logw.size());
    for (std::size_t c = 0; c < logw.size(); ++c) var.prior[c] = logw[c] / sum;
  }
}

}  // namespace vitdse::search

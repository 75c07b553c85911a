// The design space: variables tie a field over layers; a point picks one choice per variable.
#include "vitdse/search/space.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::search {

namespace {

std::int16_t intern(std::vector<std::string>& table, const std::string& value) {
  const auto it = std::find(table.begin(), table.end(), value);
  if (it != table.end()) return static_cast<std::int16_t>(it - table.begin());
  table.push_back(value);
  return static_cast<std::int16_t>(table.size() - 1);
}

int multiplier_bits(const std::string& spec) {
  static std::mutex mutex;
  static std::map<std::string, int> cache;
  const std::lock_guard lock(mutex);
  auto it = cache.find(spec);
  if (it == cache.end()) it = cache.emplace(spec, arith::make_multiplier(spec)->bits()).first;
  return it->second;
}

}  // namespace

DesignSpace::DesignSpace(const model::Workload& workload, const model::Design& base, std::vector<Variable> variables,
                         const std::string& source)
    : workload_(workload), variables_(std::move(variables)) {
  for (auto& v : variables_) {
    if (v.prior.size() != v.choices.size())
      v.prior.assign(v.choices.size(), 1.0 / static_cast<double>(v.choices.size()));
  }
  const auto& layers = workload.layers();
  base_.resize(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& c = base.layers[i];
    auto& t = base_[i];
    if (c.mult >= 0) t.mult = base.units[static_cast<std::size_t>(c.mult)];
    if (c.gelu >= 0) t.gelu = base.nonlinear[static_cast<std::size_t>(c.gelu)];
    if (c.softmax >= 0) t.softmax = base.nonlinear[static_cast<std::size_t>(c.softmax)];
    t.wbits = c.wbits;
    t.abits = c.abits;
    t.token_keep = c.token_keep;
    t.ffn2_prune = c.ffn2_prune;
  }
  // The widest operands and the narrowest multiplier any point may put on each layer.
  std::vector<int> widest(layers.size(), 0), narrowest(layers.size(), 1 << 20);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if ((layers[i].fields & model::kMult) == 0) continue;
    narrowest[i] = multiplier_bits(base_[i].mult);
    widest[i] = std::max((layers[i].fields & model::kWbits) != 0 ? base_[i].wbits : 0, base_[i].abits);
  }
  for (const auto& v : variables_) {
    if (v.choices.empty()) throw Error(source + ": variable '" + v.name + "' has no choices");
    for (const int i : v.layers) {
      const auto ui = static_cast<std::size_t>(i);
      if ((layers[ui].fields & v.field) == 0) {
        throw Error(source + ": variable '" + v.name + "' sets a field that layer '" + layers[ui].name +
                    "' does not have");
      }
      for (const auto& c : v.choices) {
        if (v.field == model::kMult) narrowest[ui] = std::min(narrowest[ui], multiplier_bits(c));
        if (v.field == model::kWbits || v.field == model::kAbits) {
          widest[ui] = std::max(widest[ui], static_cast<int>(parse_int(c, "bits")));
        }
      }
    }
  }
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (widest[i] > narrowest[i]) {
      throw Error(source + ": some points put " + std::to_string(widest[i]) + "-bit operands on a " +
                  std::to_string(narrowest[i]) + "-bit multiplier in layer '" + layers[i].name +
                  "'; narrow the bits choices or widen the multipliers");
    }
  }
}

double DesignSpace::log10_size() const {
  double s = 0;
  for (const auto& v : variables_) s += std::log10(static_cast<double>(v.choices.size()));
  return s;
}

void DesignSpace::check(const Point& point) const {
  if (point.size() != variables_.size()) {
    throw Error("a point of this space has " + std::to_string(variables_.size()) + " choices, not " +
                std::to_string(point.size()));
  }
  for (std::size_t v = 0; v < point.size(); ++v) {
    if (point[v] < 0 || static_cast<std::size_t>(point[v]) >= variables_[v].choices.size()) {
      throw Error("choice " + std::to_string(point[v]) + " of variable '" + variables_[v].name + "' is out of range");
    }
  }
}

model::Design DesignSpace::design(const Point& point) const {
  check(point);
  std::vector<LayerText> text = base_;
  for (std::size_t v = 0; v < variables_.size(); ++v) {
    const Variable& var = variables_[v];
    const std::string& choice = var.choices[static_cast<std::size_t>(point[v])];
    for (const int i : var.layers) {
      LayerText& t = text[static_cast<std::size_t>(i)];
      switch (var.field) {
        case model::kMult:
          t.mult = choice;
          break;
        case model::kWbits:
          t.wbits = static_cast<int>(parse_int(choice, "wbits"));
          break;
        case model::kAbits:
          t.abits = static_cast<int>(parse_int(choice, "abits"));
          break;
        case model::kGelu:
          t.gelu = choice;
          break;
        case model::kSoftmax:
          t.softmax = choice;
          break;
        case model::kTokenKeep:
          t.token_keep = parse_double(choice, "token_keep");
          break;
        case model::kFfn2Prune:
          t.ffn2_prune = parse_double(choice, "ffn2_prune");
          break;
      }
    }
  }
  // Intern afresh so the design lists only the units it uses (the cost model prices each).
  const auto& layers = workload_.layers();
  model::Design d;
  d.layers.resize(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto f = layers[i].fields;
    auto& c = d.layers[i];
    const auto& t = text[i];
    if ((f & model::kMult) != 0) c.mult = intern(d.units, t.mult);
    if ((f & model::kGelu) != 0) c.gelu = intern(d.nonlinear, t.gelu);
    if ((f & model::kSoftmax) != 0) c.softmax = intern(d.nonlinear, t.softmax);
    if ((f & model::kWbits) != 0) c.wbits = static_cast<std::int8_t>(t.wbits);
    if ((f & model::kAbits) != 0) c.abits = static_cast<std::int8_t>(t.abits);
    if ((f & model::kTokenKeep) != 0) c.token_keep = t.token_keep;
    if ((f & model::kFfn2Prune) != 0) c.ffn2_prune = t.ffn2_prune;
  }
  return d;
}

}  // namespace vitdse::search

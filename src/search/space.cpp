// The design space: variables tie a field over layers; a point picks one choice per variable.
#include "vitdse/search/space.hpp"

#include <algorithm>
#include <cmath>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::search {

DesignSpace::DesignSpace(const model::Workload& workload, const model::Design& base, std::vector<Variable> variables,
                         const std::string& source)
    : workload_(workload), variables_(std::move(variables)) {
  for (auto& v : variables_) {
    if (v.prior.size() != v.choices.size())
      v.prior.assign(v.choices.size(), 1.0 / static_cast<double>(v.choices.size()));
  }
  const auto& layers = workload.layers();
  base_.resize(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) base_[i] = model::layer_settings(base, i);
  // The widest operands and the narrowest multiplier any point may put on each layer.
  std::vector<int> widest(layers.size(), 0), narrowest(layers.size(), 1 << 20);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if ((layers[i].fields & model::kMult) == 0) continue;
    narrowest[i] = arith::multiplier_width(base_[i].mult).bits;
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
        if (v.field == model::kMult) narrowest[ui] = std::min(narrowest[ui], arith::multiplier_width(c).bits);
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
  std::vector<model::LayerSettings> text = base_;
  for (std::size_t v = 0; v < variables_.size(); ++v) {
    const Variable& var = variables_[v];
    const std::string& choice = var.choices[static_cast<std::size_t>(point[v])];
    for (const int i : var.layers) {
      model::LayerSettings& t = text[static_cast<std::size_t>(i)];
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
        case model::kWquant:
          t.wquant = model::parse_weight_quant(choice);
          break;
        case model::kTransform:
          t.transform = model::parse_input_transform(choice);
          break;
        case model::kDivide:
          t.divide = model::parse_divide(choice);
          break;
        default:
          throw Error("variable '" + var.name + "' sets a field that searches do not vary");
      }
    }
  }
  // Interned afresh, so the design lists only the units it uses (the cost model prices each).
  return model::make_design(workload_, text);
}

}  // namespace vitdse::search

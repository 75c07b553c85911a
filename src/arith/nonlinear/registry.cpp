// The nonlinear-unit registry: lookup by kind and variant, parameter checks.
#include <algorithm>

#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::arith {

namespace {

std::unique_ptr<NonlinearUnit> make(std::string_view text, std::string_view kind) {
  const UnitSpec spec = parse_unit_spec(text);
  const std::string quoted = "unit spec '" + spec.text + "'";
  if (spec.family != kind) {
    throw Error(quoted + ": expected a " + std::string(kind) + " unit, '" + std::string(kind) + ":<variant>'");
  }
  std::vector<std::string> variants;
  for (const auto& f : nonlinear_families()) {
    if (f.kind == kind) variants.push_back(f.variant);
  }
  if (spec.positional.size() != 1) {
    throw Error(quoted + ": expected exactly one variant after '" + std::string(kind) +
                ":'; available: " + join(variants));
  }
  const auto& all = nonlinear_families();
  const auto it = std::find_if(all.begin(), all.end(),
                               [&](const auto& f) { return f.kind == kind && f.variant == spec.positional[0]; });
  if (it == all.end()) {
    throw Error(quoted + ": unknown " + std::string(kind) + " variant '" + spec.positional[0] + "'" +
                did_you_mean(spec.positional[0], variants) + "; available: " + join(variants));
  }
  MultiplierFamily keys;  // reuse the key check: it only needs the name and parameter list
  keys.name = it->kind + ":" + it->variant;
  keys.params = it->params;
  check_param_keys(spec, keys);
  return it->make(spec);
}

template <class T>
std::unique_ptr<T> downcast(std::unique_ptr<NonlinearUnit> unit) {
  return std::unique_ptr<T>(static_cast<T*>(unit.release()));
}

}  // namespace

const std::vector<NonlinearFamily>& nonlinear_families() {
  static const std::vector<NonlinearFamily> all = [] {
    std::vector<NonlinearFamily> out;
    for (auto&& list :
         {gelu_families(), gelu_sc_families(), softmax_families(), softmax_sc_families(), layernorm_families()}) {
      out.insert(out.end(), list.begin(), list.end());
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.kind != b.kind ? a.kind < b.kind : a.variant < b.variant; });
    return out;
  }();
  return all;
}

std::unique_ptr<GeluUnit> make_gelu(std::string_view spec) { return downcast<GeluUnit>(make(spec, "gelu")); }
std::unique_ptr<SoftmaxUnit> make_softmax(std::string_view spec) {
  return downcast<SoftmaxUnit>(make(spec, "softmax"));
}
std::unique_ptr<LayerNormUnit> make_layernorm(std::string_view spec) {
  return downcast<LayerNormUnit>(make(spec, "layernorm"));
}

std::unique_ptr<NonlinearUnit> make_nonlinear(std::string_view spec) {
  const std::string kind(spec.substr(0, spec.find(':')));
  const std::vector<std::string> kinds{"gelu", "layernorm", "softmax"};
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    throw Error("unit spec '" + std::string(spec) + "': unknown nonlinear kind '" + kind + "'" +
                did_you_mean(kind, kinds) + "; available: " + join(kinds));
  }
  return make(spec, kind);
}

std::vector<std::string> nonlinear_specs(std::string_view kind) {
  std::vector<std::string> specs;
  for (const auto& f : nonlinear_families()) {
    if (f.kind == kind) specs.push_back(f.make(parse_unit_spec(f.kind + ":" + f.variant))->spec());
  }
  return specs;
}

}  // namespace vitdse::arith

// The nonlinear-unit comparison table.
#include "vitdse/report/nonlinear_report.hpp"

#include <algorithm>

#include "vitdse/arith/nonlinear_error.hpp"

namespace vitdse::report {

std::vector<int> default_sc_lengths() { return {8, 16, 32, 64, 128}; }

std::vector<std::string> default_nonlinear_specs(const std::vector<int>& lengths) {
  std::vector<std::string> specs;
  for (const char* kind : {"gelu", "softmax", "layernorm"}) {
    for (const auto& f : arith::nonlinear_families()) {
      if (f.kind != kind || f.variant == "iter") continue;
      const std::string base = f.kind + ":" + f.variant;
      const bool streams = std::any_of(f.params.begin(), f.params.end(), [](const auto& p) { return p.key == "L"; });
      if (!streams) {
        specs.push_back(arith::make_nonlinear(base)->spec());
        continue;
      }
      for (const int length : lengths) {
        specs.push_back(arith::make_nonlinear(base + ":L=" + std::to_string(length))->spec());
      }
    }
    if (std::string(kind) == "softmax") {
      for (int k = 0; k <= 4; ++k) specs.push_back("softmax:iter:k=" + std::to_string(k));
    }
  }
  return specs;
}

NonlinearFigures nonlinear_figures(const std::string& spec, const cost::Technology& tech, int row_length) {
  const auto unit = arith::make_nonlinear(spec);
  NonlinearFigures f;
  f.spec = unit->spec();
  arith::NonlinearError error;
  if (const auto* g = dynamic_cast<const arith::GeluUnit*>(unit.get())) {
    error = arith::gelu_error(*g), f.kind = "gelu";
  } else if (const auto* s = dynamic_cast<const arith::SoftmaxUnit*>(unit.get())) {
    error = arith::softmax_error(*s), f.kind = "softmax";
  } else {
    error = arith::layernorm_error(dynamic_cast<const arith::LayerNormUnit&>(*unit)), f.kind = "layernorm";
  }
  f.mae = error.mae;
  f.max_error = error.max_error;
  const cost::UnitCost element = tech.price(unit->element_hardware());
  const auto row_hw = unit->row_hardware();
  const cost::UnitCost row = arith::is_empty(row_hw) ? cost::UnitCost{} : tech.price(row_hw);
  arith::Hardware lane = unit->element_hardware();
  lane += row_hw;  // element and row work share one lane (and its fp16 operators)
  f.area_um2 = tech.price(lane).area_um2;
  f.delay_ns = element.delay_ns + row.delay_ns / row_length;
  f.energy_pJ = element.energy_pJ + row.energy_pJ / row_length;
  return f;
}

Table nonlinear_report(const std::vector<std::string>& specs, const cost::Technology& tech, int row_length) {
  Table table({{"kind", "kind"},
               {"spec", "spec"},
               {"mae", "MAE"},
               {"max_error", "max error"},
               {"area_um2", "area um2"},
               {"delay_ns", "delay ns"},
               {"energy_pJ", "energy pJ/elem"},
               {"adp_um2_ns", "ADP um2*ns"}});
  for (const auto& spec : specs) {
    const auto f = nonlinear_figures(spec, tech, row_length);
    table.add({f.kind, f.spec, f.mae, f.max_error, f.area_um2, f.delay_ns, f.energy_pJ, f.adp_um2_ns()});
  }
  return table;
}

}  // namespace vitdse::report

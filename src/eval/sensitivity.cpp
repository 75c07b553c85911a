// Layer sensitivity: the base design with one GEMM layer's multiplier replaced.
#include "vitdse/eval/sensitivity.hpp"

#include <algorithm>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval {

std::vector<SensitivityProbe> sensitivity_probes(const model::Workload& workload, const model::Design& base,
                                                 const std::string& unit) {
  const auto multiplier = arith::make_multiplier(unit);
  model::Design design = base;
  const auto found = std::find(design.units.begin(), design.units.end(), multiplier->spec());
  const auto index = static_cast<std::int16_t>(found - design.units.begin());
  if (found == design.units.end()) design.units.push_back(multiplier->spec());

  std::vector<SensitivityProbe> out;
  for (std::size_t i = 0; i < workload.layers().size(); ++i) {
    auto& choice = design.layers[i];
    if (choice.mult < 0) continue;
    const auto& name = workload.layers()[i].name;
    if (std::max(choice.wbits, choice.abits) > multiplier->bits()) {
      throw Error("layer " + name + " uses " + std::to_string(std::max(choice.wbits, choice.abits)) +
                  "-bit operands; unit '" + unit + "' has " + std::to_string(multiplier->bits()) +
                  " bits (lower the base design's wbits/abits or pick a wider unit)");
    }
    const std::int16_t saved = choice.mult;
    choice.mult = index;
    out.push_back({name, design});
    choice.mult = saved;
  }
  return out;
}

void rank_by_sensitivity(std::vector<LayerSensitivity>& layers) {
  std::stable_sort(layers.begin(), layers.end(), [](const LayerSensitivity& a, const LayerSensitivity& b) {
    if (a.report.top1_pct != b.report.top1_pct) return a.report.top1_pct < b.report.top1_pct;
    return a.report.snr_db < b.report.snr_db;
  });
}

std::vector<LayerSensitivity> layer_sensitivity(const Evaluator& evaluator, const model::Workload& workload,
                                                const model::Design& base, const std::string& unit) {
  std::vector<LayerSensitivity> out;
  for (const auto& probe : sensitivity_probes(workload, base, unit)) {
    out.push_back({probe.layer, evaluator.evaluate(probe.design, workload)});
  }
  rank_by_sensitivity(out);
  return out;
}

}  // namespace vitdse::eval

// Flattening a cost report into named, unit-carrying metrics.
#include "vitdse/report/cost_metrics.hpp"

namespace vitdse::report {

std::vector<Metric> cost_metrics(const cost::CostReport& r) {
  const auto& e = r.energy;
  const auto& a = r.area;
  return {
      {"macs", "MACs", "", r.macs},
      {"ops", "operations (2 per MAC)", "", r.ops},
      {"energy_total_uJ", "energy per inference", "uJ", e.total_uJ()},
      {"energy_chip_uJ", "  on chip", "uJ", e.chip_uJ()},
      {"energy_mac_uJ", "  MAC arithmetic", "uJ", e.mac_uJ},
      {"energy_nonlinear_uJ", "  nonlinear units", "uJ", e.nonlinear_uJ},
      {"energy_sram_uJ", "  SRAM", "uJ", e.sram_uJ},
      {"energy_static_uJ", "  leakage/static", "uJ", e.static_uJ},
      {"energy_dram_uJ", "  DRAM", "uJ", e.dram_uJ},
      {"area_mm2", "area", "mm2", a.total_mm2()},
      {"area_pe_array_mm2", "  PE array", "mm2", a.pe_array_mm2},
      {"area_nonlinear_mm2", "  nonlinear units", "mm2", a.nonlinear_mm2},
      {"area_sram_mm2", "  SRAM", "mm2", a.sram_mm2},
      {"area_other_mm2", "  other (placement overhead)", "mm2", a.other_mm2},
      {"cycles", "latency", "cycles", r.cycles},
      {"latency_ms", "latency", "ms", r.latency_ms},
      {"fps", "throughput", "frames/s", r.fps},
      {"gops", "throughput", "GOPS", r.gops},
      {"peak_gops", "peak throughput", "GOPS", r.peak_gops},
      {"utilisation_pct", "PE utilisation", "%", 100.0 * r.utilisation},
      {"chip_power_mW", "average power, chip", "mW", r.chip_power_mW},
      {"system_power_mW", "average power, with DRAM", "mW", r.system_power_mW},
      {"tops_per_W", "efficiency, chip", "TOPS/W", r.tops_per_W},
      {"system_tops_per_W", "efficiency, with DRAM", "TOPS/W", r.system_tops_per_W},
      {"gops_per_mm2", "area efficiency", "GOPS/mm2", r.gops_per_mm2},
      {"peak_gops_per_mm2", "peak area efficiency", "GOPS/mm2", r.peak_gops_per_mm2},
      {"adp_mm2_ms", "area-delay product", "mm2*ms", r.adp_mm2_ms},
      {"edp_uJ_ms", "energy-delay product", "uJ*ms", r.edp_uJ_ms},
      {"weights_resident", "weights resident on chip (1 = yes)", "", r.weights_resident ? 1.0 : 0.0},
  };
}

}  // namespace vitdse::report

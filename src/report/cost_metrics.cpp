// Flattening a cost report into named, unit-carrying metrics.
#include "vitdse/report/cost_metrics.hpp"

namespace vitdse::report {

std::vector<Metric> cost_metrics(const cost::CostReport& r) {
  const auto& e = r.energy;
  const auto& a = r.area;
  std::vector<Metric> m = {
      {"macs", "MACs", "", r.macs},
      {"ops", "operations (2 per MAC)", "", r.ops},
      {"energy_total_uJ", "energy per inference", "uJ", e.total_uJ()},
      {"energy_chip_uJ", r.fpga ? "  device (measured power x frame time)" : "  on chip", "uJ", e.chip_uJ()},
  };
  const auto add = [&m](std::initializer_list<Metric> rows) { m.insert(m.end(), rows); };
  if (!r.fpga) {
    add({
        {"energy_mac_uJ", "  MAC arithmetic", "uJ", e.mac_uJ},
        {"energy_nonlinear_uJ", "  nonlinear units", "uJ", e.nonlinear_uJ},
        {"energy_sram_uJ", "  SRAM", "uJ", e.sram_uJ},
        {"energy_static_uJ", "  leakage/static", "uJ", e.static_uJ},
    });
  }
  add({{"energy_dram_uJ", "  DRAM", "uJ", e.dram_uJ}});
  if (r.fpga) {
    const auto& f = *r.fpga;
    add({
        {"dsp_used", "DSP slices", "", f.used.dsp},
        {"dsp_pct", "  of the device", "%", 100.0 * f.used.dsp / f.available.dsp},
        {"bram36_used", "36 Kb block RAMs", "", f.used.bram36},
        {"bram36_pct", "  of the device", "%", f.available.bram36 > 0 ? 100.0 * f.used.bram36 / f.available.bram36 : 0},
        {"luts_used", "LUTs (PE array, estimated)", "", f.used.luts},
        {"ffs_used", "flip-flops (PE array, estimated)", "", f.used.ffs},
        {"fits", "fits on the device (1 = yes)", "", f.fits() ? 1.0 : 0.0},
    });
  } else {
    add({
        {"area_mm2", "area", "mm2", a.total_mm2()},
        {"area_pe_array_mm2", "  PE array", "mm2", a.pe_array_mm2},
        {"area_nonlinear_mm2", "  nonlinear units", "mm2", a.nonlinear_mm2},
        {"area_sram_mm2", "  SRAM", "mm2", a.sram_mm2},
        {"area_other_mm2", "  other (placement overhead)", "mm2", a.other_mm2},
    });
  }
  add({
      {"cycles", "latency", "cycles", r.cycles},
      {"latency_ms", "latency", "ms", r.latency_ms},
      {"fps", "throughput", "frames/s", r.fps},
      {"gops", "throughput", "GOPS", r.gops},
      {"peak_gops", "peak throughput", "GOPS", r.peak_gops},
      {"utilisation_pct", "PE utilisation", "%", 100.0 * r.utilisation},
      {"chip_power_mW", r.fpga ? "average power, device" : "average power, chip", "mW", r.chip_power_mW},
      {"system_power_mW", "average power, with DRAM", "mW", r.system_power_mW},
      {"tops_per_W", r.fpga ? "efficiency, device" : "efficiency, chip", "TOPS/W", r.tops_per_W},
      {"system_tops_per_W", "efficiency, with DRAM", "TOPS/W", r.system_tops_per_W},
  });
  if (r.fpga) {
    add({
        {"gops_per_dsp", "DSP efficiency", "GOPS/DSP", r.fpga->gops_per_dsp},
        {"peak_gops_per_dsp", "peak DSP efficiency", "GOPS/DSP", r.fpga->peak_gops_per_dsp},
    });
  } else {
    add({
        {"gops_per_mm2", "area efficiency", "GOPS/mm2", r.gops_per_mm2},
        {"peak_gops_per_mm2", "peak area efficiency", "GOPS/mm2", r.peak_gops_per_mm2},
        {"adp_mm2_ms", "area-delay product", "mm2*ms", r.adp_mm2_ms},
    });
  }
  add({
      {"edp_uJ_ms", "energy-delay product", "uJ*ms", r.edp_uJ_ms},
      {"weights_resident", "weights resident on chip (1 = yes)", "", r.weights_resident ? 1.0 : 0.0},
  });
  return m;
}

Table layer_cost_table(const model::Workload& workload, const std::vector<cost::LayerCost>& layers, bool total) {
  Table t({{"layer", "layer"},
           {"unit", "unit"},
           {"macs", "MACs"},
           {"cycles", "cycles"},
           {"pe_utilisation_pct", "PE util %"},
           {"mac_uJ", "MAC uJ"},
           {"nonlinear_uJ", "nonlinear uJ"},
           {"sram_uJ", "SRAM uJ"},
           {"dram_uJ", "DRAM uJ"},
           {"static_uJ", "static uJ"},
           {"device_uJ", "device uJ"},
           {"energy_uJ", "total uJ"}});
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    t.add({workload.layers().at(i).name, l.unit, l.macs, l.cycles, 100 * l.utilisation, l.energy.mac_uJ,
           l.energy.nonlinear_uJ, l.energy.sram_uJ, l.energy.dram_uJ, l.energy.static_uJ, l.energy.device_uJ,
           l.energy.total_uJ()});
  }
  const cost::LayerCost sum = cost::total_of(layers);
  if (total) {
    t.add({std::string("total"), std::string(), sum.macs, sum.cycles, std::string(), sum.energy.mac_uJ,
           sum.energy.nonlinear_uJ, sum.energy.sram_uJ, sum.energy.dram_uJ, sum.energy.static_uJ, sum.energy.device_uJ,
           sum.energy.total_uJ()});
  }
  return t;
}

}  // namespace vitdse::report

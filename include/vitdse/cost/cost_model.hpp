// The analytical energy/area/latency model: a workload and a design point on a template.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "vitdse/cost/arch.hpp"
#include "vitdse/cost/fpga.hpp"
#include "vitdse/cost/technology.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::cost {

/// Bumped whenever the model's equations change what a design costs (cache keys include it).
inline constexpr const char* kCostModelVersion = "cost-3";

/// Energy per inference by where it is spent, in microjoules.
struct EnergyBreakdown {
  double mac_uJ = 0;        ///< multipliers, accumulators and PE registers
  double nonlinear_uJ = 0;  ///< GELU, softmax, LayerNorm and division units
  double sram_uJ = 0;       ///< on-chip buffer reads and writes
  double dram_uJ = 0;       ///< off-chip weight fetches and activation spills
  double static_uJ = 0;     ///< leakage over the inference's latency
  double device_uJ = 0;     ///< an FPGA: its measured power over the frame period (the rest are 0)
  [[nodiscard]] double chip_uJ() const { return mac_uJ + nonlinear_uJ + sram_uJ + static_uJ + device_uJ; }
  [[nodiscard]] double total_uJ() const { return chip_uJ() + dram_uJ; }
};

/// Core area by block, in mm^2.
struct AreaBreakdown {
  double pe_array_mm2 = 0;
  double nonlinear_mm2 = 0;
  double sram_mm2 = 0;
  double other_mm2 = 0;  ///< placement and routing overhead from the template's utilisation
  [[nodiscard]] double total_mm2() const { return pe_array_mm2 + nonlinear_mm2 + sram_mm2 + other_mm2; }
};

/// What a design takes of an FPGA (PE array and buffers; nonlinear lanes are not counted).
struct FpgaUsage {
  FpgaResources used, available;
  double gops_per_dsp = 0;       ///< achieved GOPS over the DSP slices used
  double peak_gops_per_dsp = 0;  ///< peak GOPS over the DSP slices used
  [[nodiscard]] bool fits() const {
    return used.dsp <= available.dsp && used.bram36 <= available.bram36 && used.luts <= available.luts &&
           used.ffs <= available.ffs;
  }
};

/// Everything `vitdse cost` reports. "Chip" figures exclude DRAM; "system" ones include it.
struct CostReport {
  double macs = 0;
  double ops = 0;  ///< 2 per MAC
  EnergyBreakdown energy;
  AreaBreakdown area;
  double cycles = 0;
  double latency_ms = 0;
  double fps = 0;
  double chip_power_mW = 0;  ///< average at the achieved frame rate
  double system_power_mW = 0;
  double gops = 0;  ///< achieved
  double peak_gops = 0;
  double utilisation = 0;  ///< achieved / peak
  double tops_per_W = 0;   ///< chip
  double system_tops_per_W = 0;
  double gops_per_mm2 = 0;  ///< achieved
  double peak_gops_per_mm2 = 0;
  /// TransAxx's objective: the sum over GEMM layers of the layer's share of the MACs times its
  /// multiplier's power relative to the exact multiplier of the same width (1 for an exact design).
  double mult_power = 0;
  double adp_mm2_ms = 0;          ///< area x latency
  double edp_uJ_ms = 0;           ///< chip energy x latency
  bool weights_resident = false;  ///< all weights fit on chip, so none are fetched per inference
  std::optional<FpgaUsage> fpga;  ///< FPGA templates only; their area figures are 0
};

/// One workload layer's share of a CostReport: a report's layers sum to its totals. Static
/// energy (an FPGA's device energy) is shared out by the layers' cycles.
struct LayerCost {
  double macs = 0;
  double cycles = 0;
  double utilisation = 0;  ///< MACs over cycles times its engine's PEs; 0 without MACs
  EnergyBreakdown energy;
  std::string unit;  ///< the layer's multiplier or nonlinear unit; empty where it has neither
};

/// The layers' figures summed (utilisation and unit left empty): what their report's totals are.
LayerCost total_of(const std::vector<LayerCost>& layers);

/// Prices designs for one (workload, template, technology). Thread-safe; cheap per call.
///
///     CostModel model(workload, load_arch("lowpower-vit-28nm"));
///     CostReport r = model.evaluate(default_design(workload));
class CostModel {
 public:
  CostModel(const model::Workload& workload, ArchTemplate arch);
  CostModel(const model::Workload& workload, ArchTemplate arch, Technology tech);

  [[nodiscard]] CostReport evaluate(const model::Design& design) const { return evaluate(design, nullptr); }
  /// The same, with each layer's share in `layers` (aligned with the workload's layers).
  [[nodiscard]] CostReport evaluate(const model::Design& design, std::vector<LayerCost>& layers) const {
    return evaluate(design, &layers);
  }
  [[nodiscard]] const ArchTemplate& arch() const { return arch_; }
  [[nodiscard]] const Technology& tech() const { return tech_; }

  /// One PE's cost for a multiplier kind: the multiplier, its accumulator and registers.
  struct PeCost {
    UnitCost mult;
    double mac_pJ = 0;          ///< multiply + accumulate + register energy per MAC
    double area_um2 = 0;        ///< multiplier + accumulator + registers
    double cycles = 1;          ///< array cycles per MAC (a serial SC stream: its length)
    double relative_power = 1;  ///< the multiplier's power over the exact one's of its width and signedness
    FpgaResources fpga;         ///< on an FPGA template: the PE's DSP share, LUTs and flip-flops
  };
  [[nodiscard]] PeCost pe_cost(const std::string& unit_spec) const;

  /// A nonlinear unit's cost per output element and per row, and its cycles on one lane.
  struct NonlinearCost {
    UnitCost element, row;
    double element_cycles = 0, row_cycles = 0;
    arith::Hardware hardware;  ///< element + row hardware: what one lane must hold
  };
  /// Any gelu/softmax/layernorm spec, or "divide" for an fp16 division.
  [[nodiscard]] NonlinearCost nonlinear_cost(const std::string& spec) const;
  /// Dynamic FFN2 pruning's top-k selector on one nonlinear lane (arith::topk_selector_hardware).
  [[nodiscard]] NonlinearCost selector_cost(int bits, std::int64_t hidden) const;

 private:
  /// Fills `layers` when given (the search prices designs without them, allocation-free).
  CostReport evaluate(const model::Design& design, std::vector<LayerCost>* layers) const;

  /// The cached cost of `key`, priced from `account()` (its element and row hardware) on a miss.
  NonlinearCost cached_nonlinear(const std::string& key,
                                 const std::function<std::pair<arith::Hardware, arith::Hardware>()>& account) const;

  const model::Workload& workload_;
  ArchTemplate arch_;
  Technology tech_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, PeCost> pe_cache_;
  mutable std::unordered_map<std::string, NonlinearCost> nonlinear_cache_;
};

}  // namespace vitdse::cost

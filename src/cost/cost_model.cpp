// The analytical cost model: tiled GEMM cycles, buffer and DRAM traffic, and unit energies.
#include "vitdse/cost/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <utility>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/topk_selector.hpp"

namespace vitdse::cost {

namespace {

constexpr int kNonlinearBits = 16;  // nonlinear lanes read and write fp16 elements
constexpr double kPico = 1e-6;      // pJ -> uJ

double ceil_div(std::int64_t a, std::int64_t b) { return static_cast<double>((a + b - 1) / b); }

}  // namespace

CostModel::CostModel(const model::Workload& workload, ArchTemplate arch)
    : CostModel(workload, arch, load_technology(arch.tech, arch.node_nm)) {}

CostModel::CostModel(const model::Workload& workload, ArchTemplate arch, Technology tech)
    : workload_(workload), arch_(std::move(arch)), tech_(std::move(tech)) {}

CostModel::PeCost CostModel::pe_cost(const std::string& unit_spec) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = pe_cache_.find(unit_spec); it != pe_cache_.end()) return it->second;
  }
  const auto mult = arith::make_multiplier(unit_spec);
  PeCost pe;
  pe.mult = tech_.price(*mult);
  const UnitCost acc = tech_.price(arith::adder_hardware(arch_.acc_bits));
  const UnitCost regs = tech_.price(arith::register_hardware(2 * mult->bits() + arch_.acc_bits));
  pe.mac_pJ = pe.mult.energy_pJ + acc.energy_pJ + regs.energy_pJ;
  pe.area_um2 = pe.mult.area_um2 + acc.area_um2 + regs.area_um2;
  pe.cycles = mult->hardware().cycles;
  const auto exact = arith::make_multiplier("exact:" + std::to_string(mult->bits()) + (mult->is_signed() ? "s" : "u"));
  const double exact_mW = tech_.price(*exact).power_mW;
  pe.relative_power = exact_mW > 0 ? pe.mult.power_mW / exact_mW : 1;
  if (arch_.target == Target::fpga) pe.fpga = fpga_pe(arch_.fpga, *mult, arch_.acc_bits);
  std::lock_guard lock(mutex_);
  pe_cache_.emplace(unit_spec, pe);
  return pe;
}

CostModel::NonlinearCost CostModel::nonlinear_cost(const std::string& spec) const {
  return cached_nonlinear(spec, [&] {
    if (spec == "divide") return std::pair{arith::division_hardware(), arith::Hardware{}};
    const auto unit = arith::make_nonlinear(spec);
    return std::pair{unit->element_hardware(), unit->row_hardware()};
  });
}

CostModel::NonlinearCost CostModel::selector_cost(int bits, std::int64_t hidden) const {
  return cached_nonlinear("topk-selector:" + std::to_string(bits) + ":" + std::to_string(hidden), [&] {
    const auto s = arith::topk_selector_hardware(bits, hidden);
    return std::pair{s.element, s.row};
  });
}

CostModel::NonlinearCost CostModel::cached_nonlinear(
    const std::string& key, const std::function<std::pair<arith::Hardware, arith::Hardware>()>& account) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = nonlinear_cache_.find(key); it != nonlinear_cache_.end()) return it->second;
  }
  const auto [element, row] = account();
  NonlinearCost c;
  c.element = tech_.price(element);
  c.row = tech_.price(row);
  c.element_cycles = element.cycles;
  c.row_cycles = arith::is_empty(row) ? 0 : row.cycles;
  c.hardware = element;
  c.hardware += row;
  std::lock_guard lock(mutex_);
  nonlinear_cache_.emplace(key, c);
  return c;
}

LayerCost total_of(const std::vector<LayerCost>& layers) {
  LayerCost sum;
  for (const auto& l : layers) {
    sum.macs += l.macs;
    sum.cycles += l.cycles;
    sum.energy.mac_uJ += l.energy.mac_uJ;
    sum.energy.nonlinear_uJ += l.energy.nonlinear_uJ;
    sum.energy.sram_uJ += l.energy.sram_uJ;
    sum.energy.dram_uJ += l.energy.dram_uJ;
    sum.energy.static_uJ += l.energy.static_uJ;
    sum.energy.device_uJ += l.energy.device_uJ;
  }
  return sum;
}

CostReport CostModel::evaluate(const model::Design& design, std::vector<LayerCost>* per_layer) const {
  const auto& layers = workload_.layers();
  const auto schedule = workload_.token_schedule(design.keep_after_block(workload_));
  const std::size_t kinds = design.units.size();

  std::vector<PeCost> pe(kinds);
  for (std::size_t u = 0; u < kinds; ++u) pe[u] = pe_cost(design.units[u]);

  // Pass 1: counts, and MACs per multiplier kind (which sizes the pipelined engines).
  std::vector<model::LayerCounts> counts(layers.size());
  std::vector<double> kind_macs(kinds, 0.0);
  double total_macs = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    counts[i] = model::design_counts(workload_, design, i, schedule);
    if (counts[i].macs > 0) {
      kind_macs[static_cast<std::size_t>(design.layers[i].mult)] += counts[i].macs;
      total_macs += counts[i].macs;
    }
  }

  // PEs per kind: every PE in the shared array; a MAC-proportional share when pipelined.
  const auto pes = static_cast<double>(arch_.pes());
  std::vector<std::int64_t> engine_pn(kinds, arch_.pn);
  std::vector<double> engine_pes(kinds, pes);
  if (arch_.mapping == Mapping::pipelined && total_macs > 0) {
    for (std::size_t u = 0; u < kinds; ++u) {
      engine_pn[u] = std::max<std::int64_t>(1, std::llround(arch_.pn * kind_macs[u] / total_macs));
      engine_pes[u] = static_cast<double>(arch_.pm) * arch_.pk * static_cast<double>(engine_pn[u]);
    }
  }

  const Buffer& wbuf = arch_.buffer_for(Buffer::Holds::weights);
  const Buffer& abuf = arch_.buffer_for(Buffer::Holds::activations);
  const double w_pJ_bit = tech_.sram_access_pJ(wbuf.bank_kib(), wbuf.word_bits) / wbuf.word_bits;
  const double a_pJ_bit = tech_.sram_access_pJ(abuf.bank_kib(), abuf.word_bits) / abuf.word_bits;
  const double act_capacity = arch_.capacity_bits(Buffer::Holds::activations);
  const double dram_bits_per_cycle = arch_.dram_GBps * 8.0 / arch_.clock_GHz;
  // Nonlinear units: the design's GELU and softmax choices, exact LayerNorm, fp16 division for
  // linear attention, and ReLU where the card itself uses it.
  std::vector<NonlinearCost> chosen(design.nonlinear.size());
  for (std::size_t u = 0; u < chosen.size(); ++u) chosen[u] = nonlinear_cost(design.nonlinear[u]);
  const NonlinearCost norm_unit = nonlinear_cost("layernorm:exact");
  const NonlinearCost divide_unit = nonlinear_cost("divide");
  const NonlinearCost relu_unit = nonlinear_cost("gelu:relu");
  std::vector<const NonlinearCost*> used;
  std::map<std::pair<int, std::int64_t>, NonlinearCost> selectors;  // by (bits, hidden); stable addresses
  struct Nonlinear {
    const NonlinearCost* cost = nullptr;
    std::string_view name;
  };
  const auto unit_for = [&](const model::Layer& layer, const model::LayerChoice& choice,
                            const model::LayerCounts& c) -> Nonlinear {
    const auto picked = [&](int u) {
      return Nonlinear{&chosen[static_cast<std::size_t>(u)], design.nonlinear[static_cast<std::size_t>(u)]};
    };
    switch (layer.kind) {
      case model::OpKind::softmax:
        return picked(choice.softmax);
      case model::OpKind::norm:
        return {&norm_unit, "layernorm:exact"};
      case model::OpKind::activation:
        return (layer.fields & model::kGelu) != 0 ? picked(choice.gelu) : Nonlinear{&relu_unit, "gelu:relu"};
      default:
        return c.nonlinear.div > 0 ? Nonlinear{&divide_unit, "divide"} : Nonlinear{};
    }
  };

  // Weights that fit the weight buffers stay resident across inferences: no DRAM fetch.
  double weight_bits = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    weight_bits += static_cast<double>(counts[i].weight_elems) * design.layers[i].wbits;
  }
  const bool resident = weight_bits <= arch_.capacity_bits(Buffer::Holds::weights);

  // Pass 2: energy and cycles per layer.
  CostReport r;
  r.weights_resident = resident;
  double mac_pJ = 0, nl_pJ = 0, sram_pJ = 0, dram_bits = 0, cycles = 0, nl_busy = 0;
  std::vector<double> engine_busy(kinds, 0.0);
  if (per_layer != nullptr) per_layer->assign(layers.size(), LayerCost{});
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const model::Layer& layer = layers[i];
    const model::LayerCounts& c = counts[i];
    const model::LayerChoice& choice = design.layers[i];
    double layer_dram = 0, compute = 0, nonlinear = 0;
    const double mac_before = mac_pJ, nl_before = nl_pJ, sram_before = sram_pJ;
    std::string_view unit_name;
    if (c.macs > 0) {
      const auto u = static_cast<std::size_t>(choice.mult);
      unit_name = design.units[u];
      mac_pJ += c.macs * pe[u].mac_pJ;
      const double g = static_cast<double>(c.groups);
      // Grouped GEMMs run one group after another, or side by side across the n columns.
      const double column_tiles = arch_.grouped == GroupedMapping::parallel ? ceil_div(c.groups * c.n, engine_pn[u])
                                                                            : g * ceil_div(c.n, engine_pn[u]);
      // Under dynamic FFN2 pruning a tile of pm tokens needs the union of their kept units; with
      // each token's choice taken as independent, a unit is skipped only when all pm skip it.
      const std::int64_t tile_k =
          c.dynamic_skip > 0 ? model::Workload::ffn2_kept(c.stored_k, std::pow(c.dynamic_skip, arch_.pm)) : c.k;
      compute = ceil_div(c.m, arch_.pm) * ceil_div(tile_k, arch_.pk) * column_tiles * pe[u].cycles;
      const double abits = choice.abits;
      const double bbits = layer.weighted ? choice.wbits : abits;  // the [k x n] operand
      // Output-stationary tiling: the [k x n] operand is re-read for every tile of pm rows,
      // the [m x k] operand for every tile of pn columns; outputs are written once.
      const double b_reads = g * static_cast<double>(tile_k * c.n) * ceil_div(c.m, arch_.pm) * bbits;
      const double a_reads = g * static_cast<double>(c.m * c.k) * ceil_div(c.n, engine_pn[u]) * abits;
      const double writes = c.elements * abits;
      sram_pJ += b_reads * (layer.weighted ? w_pJ_bit : a_pJ_bit) + (a_reads + writes) * a_pJ_bit;
      if (!resident) layer_dram += static_cast<double>(c.weight_elems) * choice.wbits;
      if (writes > act_capacity) layer_dram += 2 * writes;  // spilled and read back
    }
    if (const auto [unit, name] = unit_for(layer, choice, c); unit != nullptr) {
      if (unit_name.empty()) unit_name = name;
      // Element-wise work runs on every output element (the divisions only, for linear
      // attention); row work once per row.
      const double elements = c.macs > 0 ? c.nonlinear.div : c.elements;
      const double rows = c.macs > 0 ? 0.0 : static_cast<double>(c.groups * c.m);
      nl_pJ += elements * unit->element.energy_pJ + rows * unit->row.energy_pJ;
      nonlinear = (elements * unit->element_cycles + rows * unit->row_cycles) / arch_.nonlinear_lanes;
      if (c.macs == 0) sram_pJ += 2 * c.elements * kNonlinearBits * a_pJ_bit;
      nl_busy += nonlinear;
      if (std::find(used.begin(), used.end(), unit) == used.end()) used.push_back(unit);
    }
    if (c.selected > 0) {
      // Dynamic FFN2 pruning ranks each token's hidden values on the nonlinear lanes; the
      // histogram pass reads every value once more than fc2 does.
      const auto key = std::make_pair(choice.abits, c.stored_k);
      auto it = selectors.find(key);
      if (it == selectors.end()) it = selectors.emplace(key, selector_cost(choice.abits, c.stored_k)).first;
      const NonlinearCost& sel = it->second;
      const double rows = static_cast<double>(c.groups * c.m);
      nl_pJ += c.selected * sel.element.energy_pJ + rows * sel.row.energy_pJ;
      const double busy = (c.selected * sel.element_cycles + rows * sel.row_cycles) / arch_.nonlinear_lanes;
      nonlinear += busy;
      nl_busy += busy;
      sram_pJ += c.selected * choice.abits * a_pJ_bit;
      if (std::find(used.begin(), used.end(), &sel) == used.end()) used.push_back(&sel);
    }
    dram_bits += layer_dram;
    const double layer_cycles = std::max(compute + nonlinear, layer_dram / dram_bits_per_cycle);
    cycles += layer_cycles;
    if (c.macs > 0) engine_busy[static_cast<std::size_t>(choice.mult)] += layer_cycles - nonlinear;
    if (per_layer != nullptr) {
      LayerCost& l = (*per_layer)[i];
      l.macs = c.macs;
      l.cycles = layer_cycles;
      const double engine = c.macs > 0 ? engine_pes[static_cast<std::size_t>(choice.mult)] : 0;
      l.utilisation = layer_cycles > 0 && engine > 0 ? c.macs / (layer_cycles * engine) : 0;
      l.energy.mac_uJ = (mac_pJ - mac_before) * kPico;
      l.energy.nonlinear_uJ = (nl_pJ - nl_before) * kPico;
      l.energy.sram_uJ = (sram_pJ - sram_before) * kPico;
      l.energy.dram_uJ = layer_dram * tech_.dram_pJ_per_bit() * kPico;
      l.unit = unit_name;
    }
  }

  // Area (a chip), or resources (an FPGA).
  AreaBreakdown& area = r.area;
  const bool fpga = arch_.target == Target::fpga;
  if (fpga) {
    FpgaUsage usage;
    usage.available = {arch_.fpga.dsp, arch_.fpga.bram36, arch_.fpga.luts, arch_.fpga.ffs};
    for (std::size_t u = 0; u < kinds; ++u) {
      usage.used.dsp += engine_pes[u] * pe[u].fpga.dsp;
      usage.used.luts += engine_pes[u] * pe[u].fpga.luts;
      usage.used.ffs += engine_pes[u] * pe[u].fpga.ffs;
    }
    usage.used.dsp = std::ceil(usage.used.dsp);
    for (const auto& b : arch_.buffers) usage.used.bram36 += fpga_bram36(b);
    r.fpga = usage;
  } else {
    for (std::size_t u = 0; u < kinds; ++u) area.pe_array_mm2 += engine_pes[u] * pe[u].area_um2 * 1e-6;
    // Each nonlinear lane holds every unit the design uses; fp16 operators are shared.
    arith::Hardware lane;
    for (const NonlinearCost* unit : used) lane += unit->hardware;
    area.nonlinear_mm2 = arch_.nonlinear_lanes * tech_.price(lane).area_um2 * 1e-6;
    for (const auto& b : arch_.buffers) area.sram_mm2 += tech_.sram_area_um2(b.kib) * 1e-6;
    area.other_mm2 = (area.pe_array_mm2 + area.nonlinear_mm2 + area.sram_mm2) * (1.0 / arch_.utilisation - 1.0);
  }

  // Time. Pipelined engines overlap frames, so throughput follows the busiest engine.
  const double hz = arch_.clock_GHz * 1e9;
  r.cycles = cycles;
  r.latency_ms = cycles / hz * 1e3;
  double period_cycles = cycles;
  if (arch_.mapping == Mapping::pipelined) {
    period_cycles = nl_busy;
    for (double busy : engine_busy) period_cycles = std::max(period_cycles, busy);
  }
  r.fps = period_cycles > 0 ? hz / period_cycles : 0;

  // Energy. An FPGA's is its measured power over the frame period; a chip's is counted.
  r.macs = total_macs;
  r.ops = 2 * total_macs;
  const double period_ms = r.fps > 0 ? 1e3 / r.fps : 0;
  r.energy.dram_uJ = dram_bits * tech_.dram_pJ_per_bit() * kPico;
  if (fpga) {
    r.energy.device_uJ = arch_.fpga.power_W * period_ms * 1e3;  // W x ms = mJ
  } else {
    r.energy.mac_uJ = mac_pJ * kPico;
    r.energy.nonlinear_uJ = nl_pJ * kPico;
    r.energy.sram_uJ = sram_pJ * kPico;
    r.energy.static_uJ = tech_.static_mW_per_mm2() * area.total_mm2() * period_ms;  // mW x ms = uJ
  }

  if (per_layer != nullptr) {
    // Energy that is not per operation (static, an FPGA's device power), shared out by cycles.
    for (auto& l : *per_layer) {
      const double share = cycles > 0 ? l.cycles / cycles : 0;
      if (fpga) l.energy.mac_uJ = l.energy.nonlinear_uJ = l.energy.sram_uJ = 0;  // counted as device power
      l.energy.static_uJ = r.energy.static_uJ * share;
      l.energy.device_uJ = r.energy.device_uJ * share;
    }
  }

  // TransAxx's relative multiplier power, weighted by MACs.
  for (std::size_t u = 0; u < kinds && total_macs > 0; ++u)
    r.mult_power += kind_macs[u] / total_macs * pe[u].relative_power;

  // Figures of merit.
  r.chip_power_mW = r.energy.chip_uJ() * r.fps * 1e-3;
  r.system_power_mW = r.energy.total_uJ() * r.fps * 1e-3;
  r.gops = r.ops * r.fps * 1e-9;
  r.peak_gops = 2.0 * pes * arch_.clock_GHz;
  r.utilisation = r.peak_gops > 0 ? r.gops / r.peak_gops : 0;
  r.tops_per_W = r.energy.chip_uJ() > 0 ? r.ops / (r.energy.chip_uJ() * 1e-6) * 1e-12 : 0;
  r.system_tops_per_W = r.energy.total_uJ() > 0 ? r.ops / (r.energy.total_uJ() * 1e-6) * 1e-12 : 0;
  if (area.total_mm2() > 0) {
    r.gops_per_mm2 = r.gops / area.total_mm2();
    r.peak_gops_per_mm2 = r.peak_gops / area.total_mm2();
  }
  if (r.fpga && r.fpga->used.dsp > 0) {
    r.fpga->gops_per_dsp = r.gops / r.fpga->used.dsp;
    r.fpga->peak_gops_per_dsp = r.peak_gops / r.fpga->used.dsp;
  }
  r.adp_mm2_ms = area.total_mm2() * r.latency_ms;
  r.edp_uJ_ms = r.energy.chip_uJ() * r.latency_ms;
  return r;
}

}  // namespace vitdse::cost

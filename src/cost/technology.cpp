// Technology tables: loading, node scaling and pricing of cell accounts and memories.
#include "vitdse/cost/technology.hpp"

#include <algorithm>
#include <cmath>

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"
#include "vitdse/core/resources.hpp"
#include "vitdse/core/yaml.hpp"

namespace vitdse::cost {

namespace {

double raw_combinational_area(const Technology::Table& t, const arith::Hardware& hw) {
  return hw.and2 * t.and2 + hw.xor2 * t.xor2 + hw.ha * t.ha + hw.fa * t.fa + hw.mux2 * t.mux2;
}

double raw_sequential_area(const Technology::Table& t, const arith::Hardware& hw) { return hw.dff * t.dff; }

double raw_cell_area(const Technology::Table& t, const arith::Hardware& hw) {
  return raw_combinational_area(t, hw) + raw_sequential_area(t, hw);
}

}  // namespace

arith::Hardware anchor_hardware() { return arith::make_multiplier("exact:8s")->hardware(); }

Technology::Technology(Table table, NodeScaling scaling, double node_nm)
    : table_(std::move(table)), scaling_(std::move(scaling)), node_nm_(node_nm), scale_(scaling_.at(node_nm)) {
  const arith::Hardware anchor = anchor_hardware();
  const double raw = raw_cell_area(table_, anchor);
  const double combinational = raw_combinational_area(table_, anchor);
  if (!(raw > 0) || !(combinational > 0)) throw Error("technology '" + table_.name + "': cell areas must be positive");
  // The anchor's flops (none in the exact multiplier) are priced at the sequential factor; its
  // combinational cells take the rest of the anchor's area.
  const double anchor_flops_um2 = raw_sequential_area(table_, anchor) * table_.sequential_area_factor;
  area_per_cell_um2_ = (table_.anchor_area_um2 - anchor_flops_um2) / combinational;
  if (!(area_per_cell_um2_ > 0)) {
    throw Error("technology '" + table_.name + "': the anchor's flip-flops alone exceed its area");
  }
  energy_per_cell_um2_ = table_.anchor_energy_pJ / raw;
  delay_per_fa_ns_ = table_.anchor_delay_ns / anchor.depth;
}

UnitCost Technology::price(const arith::Hardware& hw) const {
  const double raw = raw_cell_area(table_, hw);
  UnitCost c;
  c.area_um2 = (raw_combinational_area(table_, hw) * area_per_cell_um2_ +
                raw_sequential_area(table_, hw) * table_.sequential_area_factor) *
               scale_.area;
  // A multi-cycle unit (serial SC) switches its cells once per cycle.
  c.energy_pJ = raw * energy_per_cell_um2_ * scale_.energy * hw.cycles;
  c.delay_ns = hw.depth * delay_per_fa_ns_ * scale_.delay * hw.cycles;
  // Floating-point work: every operation costs energy, the lane's operators cost area once.
  c.energy_pJ += (hw.fp16_mul * table_.fp16_mult_pJ + hw.fp16_add * table_.fp16_add_pJ) * scale_.energy;
  c.area_um2 +=
      ((hw.fp16_mul > 0 ? table_.fp16_mult_um2 : 0) + (hw.fp16_add > 0 ? table_.fp16_add_um2 : 0)) * scale_.area;
  c.power_mW = c.energy_pJ * table_.unit_power_GHz;
  return c;
}

UnitCost Technology::price(const arith::Multiplier& unit) const {
  const auto declared = unit.declared_cost();
  if (!declared) return price(unit.hardware());
  // Scale the declared figures from their node to this one through the base node.
  const ScaleFactors from = scaling_.at(declared->node_nm);
  UnitCost c;
  c.area_um2 = declared->area_um2 / from.area * scale_.area;
  c.power_mW = declared->power_mW / from.energy * scale_.energy;
  c.energy_pJ = c.power_mW / table_.unit_power_GHz;
  c.delay_ns = declared->delay_ns / from.delay * scale_.delay;
  return c;
}

double Technology::sram_access_pJ(double bank_kib, int word_bits) const {
  const auto& pts = table_.sram;
  // log-log interpolation between tabulated bank sizes, extrapolating with the end slopes.
  std::size_t hi = 1;
  while (hi + 1 < pts.size() && pts[hi].kib < bank_kib) ++hi;
  const auto& a = pts[hi - 1];
  const auto& b = pts[hi];
  const double slope = std::log(b.pJ_per_64b / a.pJ_per_64b) / std::log(b.kib / a.kib);
  const double per_64b = a.pJ_per_64b * std::pow(bank_kib / a.kib, slope);
  return per_64b * (word_bits / 64.0) * scale_.energy;
}

double Technology::sram_area_um2(double kib) const { return kib * 8192.0 * table_.sram_um2_per_bit * scale_.area; }

Technology load_technology(const std::string& name_or_path, std::optional<double> node_nm) {
  const auto path = resolve_resource(name_or_path, "models/tech", "technology");
  const auto doc = load_yaml_file(path);
  YamlMap top(doc.root, doc.source, "technology table");
  top.get_int("version", 1, 1);
  Technology::Table t;
  t.fingerprint = sha256_hex(doc.text);
  t.name = top.get<std::string>("name");
  t.base_node_nm = top.get_double("node_nm", 1, 1000);
  t.vdd_V = top.get_double("vdd_V", 0.1, 5);
  top.allow("source");
  top.allow("notes");

  YamlMap cells = top.child("cells", "cells");
  YamlMap area = cells.child("area_um2", "cell areas");
  t.and2 = area.get_double("and2", 1e-3, 1e3);
  t.xor2 = area.get_double("xor2", 1e-3, 1e3);
  t.ha = area.get_double("ha", 1e-3, 1e3);
  t.fa = area.get_double("fa", 1e-3, 1e3);
  t.mux2 = area.get_double("mux2", 1e-3, 1e3);
  t.dff = area.get_double("dff", 1e-3, 1e3);
  area.finish();
  YamlMap anchor = cells.child("anchor", "cell anchor");
  t.anchor_area_um2 = anchor.get_double("area_um2", 1e-3, 1e6);
  t.anchor_energy_pJ = anchor.get_double("energy_pJ", 1e-6, 1e3);
  t.anchor_delay_ns = anchor.get_double("delay_ns", 1e-4, 1e3);
  anchor.allow("unit");
  anchor.allow("source");
  anchor.finish();
  if (cells.has("sequential")) {
    YamlMap sequential = cells.child("sequential", "sequential cells");
    t.sequential_area_factor = sequential.get_double("area_factor", 0.1, 10);
    sequential.allow("source");
    sequential.finish();
  }
  t.unit_power_GHz = cells.get_double_or("unit_power_GHz", 1.0, 1e-3, 100);
  cells.allow("source");
  cells.finish();

  YamlMap fp = top.child("fp16", "fp16 operations");
  t.fp16_mult_pJ = fp.get_double("mult_pJ", 1e-6, 1e3);
  t.fp16_add_pJ = fp.get_double("add_pJ", 1e-6, 1e3);
  t.fp16_mult_um2 = fp.get_double("mult_um2", 1e-3, 1e6);
  t.fp16_add_um2 = fp.get_double("add_um2", 1e-3, 1e6);
  fp.allow("source");
  fp.finish();

  YamlMap sram = top.child("sram", "sram");
  const auto points = sram.node("access_pJ_per_64b");
  if (!points.IsSequence() || points.size() < 2) {
    throw sram.error_at("access_pJ_per_64b", "'access_pJ_per_64b' must list at least two {kib, pJ} points");
  }
  for (const auto& p : points) {
    YamlMap pm(p, doc.source, "sram point");
    t.sram.push_back({pm.get_double("kib", 1e-3, 1e9), pm.get_double("pJ", 1e-6, 1e6)});
    pm.finish();
  }
  std::sort(t.sram.begin(), t.sram.end(), [](const auto& a, const auto& b) { return a.kib < b.kib; });
  for (std::size_t i = 1; i < t.sram.size(); ++i) {
    if (!(t.sram[i].kib > t.sram[i - 1].kib) || t.sram[i].pJ_per_64b < t.sram[i - 1].pJ_per_64b) {
      throw sram.error_at("access_pJ_per_64b", "SRAM access energy must grow with capacity");
    }
  }
  t.sram_um2_per_bit = sram.get_double("area_um2_per_bit", 1e-4, 1e3);
  sram.allow("source");
  sram.finish();

  YamlMap dram = top.child("dram", "dram");
  t.dram_pJ_per_bit = dram.get_double("pJ_per_bit", 0, 1e4);
  dram.allow("source");
  dram.finish();

  YamlMap stat = top.child("static", "static power");
  t.static_mW_per_mm2 = stat.get_double("mW_per_mm2", 0, 1e4);
  stat.allow("source");
  stat.finish();

  YamlMap sc = top.child("scaling", "node scaling");
  std::vector<NodeScaling::Point> pts;
  const auto nodes = sc.node("nodes");
  if (!nodes.IsSequence()) throw sc.error_at("nodes", "'nodes' must be a list of {node_nm, energy, area, delay}");
  for (const auto& n : nodes) {
    YamlMap pm(n, doc.source, "scaling point");
    pts.push_back(
        {pm.get_double("node_nm", 1, 1000),
         {pm.get_double("energy", 1e-4, 1e3), pm.get_double("area", 1e-4, 1e3), pm.get_double("delay", 1e-4, 1e3)}});
    pm.finish();
  }
  sc.allow("source");
  sc.allow("interpolation");
  sc.finish();
  top.finish();

  NodeScaling scaling(std::move(pts), doc.source);
  const ScaleFactors base = scaling.at(t.base_node_nm);
  if (base.energy != 1.0 || base.area != 1.0 || base.delay != 1.0) {
    throw Error(doc.source + ": the scaling table must give factors of 1 at the base node " +
                std::to_string(static_cast<int>(t.base_node_nm)) + " nm");
  }
  const double node = node_nm.value_or(t.base_node_nm);
  return Technology(std::move(t), std::move(scaling), node);
}

}  // namespace vitdse::cost

// Technology tables (models/tech/*.yaml): cited per-operation costs at a node.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vitdse/arith/hardware.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/cost/node_scaling.hpp"

namespace vitdse::cost {

/// What any arithmetic unit costs at a node: the one interface through which the cost model
/// sees multipliers, adders, registers and (later) approximate and SC units.
struct UnitCost {
  double area_um2 = 0;
  double energy_pJ = 0;  ///< per operation
  double delay_ns = 0;   ///< critical path
  double power_mW = 0;   ///< energy_pJ x the table's reference operating rate
};

/// A technology table scaled to one node. Built by load_technology().
class Technology {
 public:
  struct SramPoint {
    double kib = 0, pJ_per_64b = 0;
  };
  /// Base-node data as read from the YAML file (see models/tech/cmos45.yaml for sources).
  struct Table {
    std::string name;
    std::string fingerprint;  ///< SHA-256 of the table file
    double base_node_nm = 45, vdd_V = 0.9;
    // Standard-cell areas (um^2) used to weigh a unit's Hardware account.
    double and2 = 0, xor2 = 0, ha = 0, fa = 0, mux2 = 0, dff = 0;
    // The anchor unit (an exact 8x8 signed multiplier) calibrates area, energy and delay.
    double anchor_area_um2 = 0, anchor_energy_pJ = 0, anchor_delay_ns = 0;
    // Placed area of a flip-flop per um^2 of its cell (cells.sequential.area_factor): flops are
    // not priced through the anchor, whose factor is fitted on a combinational array multiplier.
    double sequential_area_factor = 1.0;
    double unit_power_GHz = 1.0;
    double fp16_mult_pJ = 0, fp16_add_pJ = 0, fp16_mult_um2 = 0, fp16_add_um2 = 0;
    std::vector<SramPoint> sram;
    double sram_um2_per_bit = 0;
    double dram_pJ_per_bit = 0;
    double static_mW_per_mm2 = 0;
  };

  Technology(Table table, NodeScaling scaling, double node_nm);

  [[nodiscard]] const std::string& name() const { return table_.name; }
  [[nodiscard]] double node_nm() const { return node_nm_; }
  [[nodiscard]] const ScaleFactors& scale() const { return scale_; }
  [[nodiscard]] const NodeScaling& scaling() const { return scaling_; }
  [[nodiscard]] const Table& table() const { return table_; }

  /// Prices a standard-cell account at this node. Area: combinational cells at the anchor's
  /// calibration, flip-flops at their cell area times the sequential factor. Energy and delay
  /// are calibrated on the anchor alone.
  [[nodiscard]] UnitCost price(const arith::Hardware& hw) const;
  /// Prices a multiplier: its declared cost scaled from its node, else its cell account.
  [[nodiscard]] UnitCost price(const arith::Multiplier& unit) const;
  /// Energy of one SRAM access of `word_bits` to a bank of `bank_kib` (log-log interpolated).
  [[nodiscard]] double sram_access_pJ(double bank_kib, int word_bits) const;
  [[nodiscard]] double sram_area_um2(double kib) const;
  [[nodiscard]] double dram_pJ_per_bit() const { return table_.dram_pJ_per_bit; }
  [[nodiscard]] double static_mW_per_mm2() const { return table_.static_mW_per_mm2; }

 private:
  Table table_;
  NodeScaling scaling_;
  double node_nm_;
  ScaleFactors scale_;
  double area_per_cell_um2_ = 0;    ///< calibrated um^2 per um^2 of raw combinational cell area
  double energy_per_cell_um2_ = 0;  ///< pJ per um^2 of raw cell area
  double delay_per_fa_ns_ = 0;
};

/// Loads models/tech/<name>.yaml (or a path) and scales it to `node_nm` (default: its base).
Technology load_technology(const std::string& name_or_path, std::optional<double> node_nm = std::nullopt);

/// The exact 8x8 signed array multiplier that anchors the cell calibration.
arith::Hardware anchor_hardware();

}  // namespace vitdse::cost

// Accelerator templates (models/arch/*.yaml): PE array, clock, buffers, DRAM and mapping.
#pragma once

#include <string>
#include <vector>

namespace vitdse::cost {

/// One on-chip SRAM buffer, split into equal banks.
struct Buffer {
  enum class Holds { weights, activations };
  std::string name;
  Holds holds = Holds::activations;
  double kib = 0;
  int banks = 1;
  int word_bits = 64;
  [[nodiscard]] double bank_kib() const { return kib / banks; }
};

/// How per-layer arithmetic choices map onto hardware.
enum class Mapping {
  shared,     ///< one PE array; every PE carries one multiplier of each kind the design uses
  pipelined,  ///< one engine per multiplier kind, PEs split by MAC share, frames pipelined
};

/// What a template is built on.
enum class Target {
  asic,  ///< standard cells and SRAM macros, priced from the technology table
  fpga,  ///< an FPGA device: DSP slices, LUTs, flip-flops and block RAM, and its measured power
};

/// An FPGA device and the measured power of the design a template describes. A MAC whose
/// multiplier is exact takes a DSP slice, `macs_per_dsp` MACs to a slice when both operands
/// are at most `packed_bits` wide (two 8-bit products sharing an operand in one DSP48E2,
/// Xilinx WP486), one otherwise; other multipliers are built from LUTs.
struct FpgaDevice {
  std::string device;
  double dsp = 0, bram36 = 0, luts = 0, ffs = 0;  ///< resources on the device
  int macs_per_dsp = 1;
  int packed_bits = 8;
  double power_W = 0;  ///< measured at the template's clock; the device's energy is power x time
};

/// How the PE array runs grouped GEMMs (depthwise convolutions: one output column per group).
enum class GroupedMapping {
  serial,    ///< one group after another, each on the whole array
  parallel,  ///< groups side by side across the array's n columns (a depthwise mode)
};

/// An accelerator template. The PE array computes `pm x pk x pn` MACs per cycle over a GEMM's
/// output rows (tokens), reduction and output columns; partial sums stay in the PEs.
struct ArchTemplate {
  std::string name;
  std::string source;
  Target target = Target::asic;
  FpgaDevice fpga;  ///< only for Target::fpga
  GroupedMapping grouped = GroupedMapping::serial;
  std::string tech = "cmos45";
  double node_nm = 45;
  double clock_GHz = 1.0;
  Mapping mapping = Mapping::shared;
  int pm = 1, pk = 1, pn = 1;
  int acc_bits = 24;
  int nonlinear_lanes = 16;
  std::vector<Buffer> buffers;
  double dram_GBps = 25.6;
  double utilisation = 0.7;  ///< placement utilisation: cell + macro area / core area
  std::string fingerprint;   ///< SHA-256 of the template file

  [[nodiscard]] long long pes() const { return static_cast<long long>(pm) * pk * pn; }
  /// Total capacity of buffers holding `holds`, in bits.
  [[nodiscard]] double capacity_bits(Buffer::Holds holds) const;
  /// The first buffer holding `holds` (every template has one of each kind).
  [[nodiscard]] const Buffer& buffer_for(Buffer::Holds holds) const;
};

/// Loads models/arch/<name>.yaml (or a path), validated.
ArchTemplate load_arch(const std::string& name_or_path);

std::string to_string(Mapping m);
std::string to_string(Target t);

}  // namespace vitdse::cost

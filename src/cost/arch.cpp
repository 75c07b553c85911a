// Accelerator-template loading and validation.
#include "vitdse/cost/arch.hpp"

#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"
#include "vitdse/core/resources.hpp"
#include "vitdse/core/yaml.hpp"

namespace vitdse::cost {

double ArchTemplate::capacity_bits(Buffer::Holds holds) const {
  double bits = 0;
  for (const auto& b : buffers) {
    if (b.holds == holds) bits += b.kib * 8192.0;
  }
  return bits;
}

const Buffer& ArchTemplate::buffer_for(Buffer::Holds holds) const {
  for (const auto& b : buffers) {
    if (b.holds == holds) return b;
  }
  throw Error("template '" + name + "' has no buffer holding " +
              (holds == Buffer::Holds::weights ? "weights" : "activations"));
}

std::string to_string(Mapping m) { return m == Mapping::shared ? "shared" : "pipelined"; }
std::string to_string(Target t) { return t == Target::asic ? "asic" : "fpga"; }

namespace {

/// The `fpga` block: the device's resources, the DSP packing and the measured power.
FpgaDevice load_fpga_device(YamlMap& top) {
  YamlMap f = top.child("fpga", "FPGA device");
  FpgaDevice d;
  d.device = f.get<std::string>("device");
  d.dsp = f.get_double("dsp", 1, 1e6);
  d.bram36 = f.get_double("bram36", 0, 1e6);
  d.luts = f.get_double("luts", 1, 1e8);
  d.ffs = f.get_double("ffs", 1, 1e8);
  d.macs_per_dsp = static_cast<int>(f.get_int_or("macs_per_dsp", 1, 1, 4));
  d.packed_bits = static_cast<int>(f.get_int_or("packed_bits", 8, 2, 16));
  d.power_W = f.get_double("power_W", 1e-3, 1e3);
  f.allow("source");
  f.allow("power_source");
  f.finish();
  return d;
}

}  // namespace

ArchTemplate load_arch(const std::string& name_or_path) {
  const auto path = resolve_resource(name_or_path, "models/arch", "accelerator template");
  const auto doc = load_yaml_file(path);
  YamlMap top(doc.root, doc.source, "accelerator template");
  top.get_int("version", 1, 1);
  ArchTemplate a;
  a.fingerprint = sha256_hex(doc.text);
  a.name = top.get<std::string>("name");
  a.source = top.get_or<std::string>("source", "");
  a.target = top.get_choice_or("target", {{"asic", Target::asic}, {"fpga", Target::fpga}}, Target::asic);
  if (a.target == Target::fpga) a.fpga = load_fpga_device(top);
  a.tech = top.get_or<std::string>("tech", "cmos45");
  a.node_nm = top.get_double("node_nm", 1, 1000);
  a.clock_GHz = top.get_double("clock_GHz", 1e-3, 20);
  a.mapping =
      top.get_choice_or("mapping", {{"shared", Mapping::shared}, {"pipelined", Mapping::pipelined}}, Mapping::shared);
  YamlMap array = top.child("array", "PE array");
  a.pm = static_cast<int>(array.get_int("m", 1, 1 << 16));
  a.pk = static_cast<int>(array.get_int("k", 1, 1 << 16));
  a.pn = static_cast<int>(array.get_int("n", 1, 1 << 16));
  a.acc_bits = static_cast<int>(array.get_int_or("acc_bits", 24, 8, 64));
  a.grouped = array.get_choice_or(
      "grouped", {{"serial", GroupedMapping::serial}, {"parallel", GroupedMapping::parallel}}, GroupedMapping::serial);
  array.allow("dataflow");
  array.finish();
  a.nonlinear_lanes = static_cast<int>(top.get_int_or("nonlinear_lanes", 16, 1, 1 << 16));
  a.utilisation = top.get_double_or("utilisation", 0.7, 0.05, 1.0);

  const auto buffers = top.node("buffers");
  if (!buffers.IsSequence() || buffers.size() == 0) {
    throw top.error_at("buffers", "'buffers' must list at least one weight and one activation buffer");
  }
  for (const auto& node : buffers) {
    YamlMap b(node, doc.source, "buffer");
    Buffer buf;
    buf.name = b.get<std::string>("name");
    buf.holds = b.get_choice<Buffer::Holds>(
        "holds", {{"weights", Buffer::Holds::weights}, {"activations", Buffer::Holds::activations}});
    buf.kib = b.get_double("kib", 0.0625, 1 << 20);
    buf.banks = static_cast<int>(b.get_int_or("banks", 1, 1, 4096));
    buf.word_bits = static_cast<int>(b.get_int_or("word_bits", 64, 8, 4096));
    b.finish();
    a.buffers.push_back(buf);
  }
  (void)a.buffer_for(Buffer::Holds::weights);  // both kinds must exist
  (void)a.buffer_for(Buffer::Holds::activations);

  YamlMap dram = top.child("dram", "dram");
  a.dram_GBps = dram.get_double("GBps", 1e-3, 1e6);
  dram.finish();
  top.allow("notes");
  top.finish();
  return a;
}

}  // namespace vitdse::cost

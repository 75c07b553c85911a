// Shared by the fuzz targets: the fixed model, technology and template a fuzzed input is used with.
#pragma once

#include "vitdse/cost/arch.hpp"
#include "vitdse/cost/technology.hpp"
#include "vitdse/model/card.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::fuzz {

/// The default model's shape (vit-fmnist), parsed from text so no file is read.
inline const model::Workload& fmnist_workload() {
  static const model::Workload workload(model::parse_model_card(R"(version: 1
name: vit-fmnist
family: vit
img_size: 28
patch_size: 4
in_chans: 1
num_classes: 10
embed_dim: 64
depth: 4
num_heads: 4
mlp_ratio: 4.0
qkv_bias: true
act: gelu
attention: softmax
norm_eps: 1.0e-6
mean: [0.2860]
std: [0.3530]
)",
                                                                "fuzz-fixture"));
  return workload;
}

/// The shipped technology table and a shipped template, found like the command line finds them
/// ($VITDSE_HOME or the source tree).
inline const cost::Technology& shipped_technology() {
  static const cost::Technology tech = cost::load_technology("cmos45");
  return tech;
}
inline const cost::ArchTemplate& shipped_arch() {
  static const cost::ArchTemplate arch = cost::load_arch("edge-256-45nm");
  return arch;
}

}  // namespace vitdse::fuzz

// Loading a model and an optional design file, shared by the subcommands.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::cli {

struct ModelAndDesign {
  std::unique_ptr<model::Workload> workload;  ///< stable address: designs refer to it
  model::Design design;
  /// For an ONNX model: operators left out as unpriced (--allow-unpriced), and those the cost
  /// model does not count (data movement, element-wise arithmetic), by type.
  std::map<std::string, int> unpriced, uncounted;
};

/// How a command takes --model: a card only, or an ONNX graph too (workload and cost).
struct ModelInput {
  bool graphs = false;
  bool allow_unpriced = false;
};

/// The model card by name or path (or an ONNX file, where `input` allows), and the design file
/// (or the built-in defaults if empty).
ModelAndDesign load_model_and_design(const std::string& model, const std::string& design_path,
                                     const ModelInput& input = {});
/// Writes one note per category of an ONNX model's left-out operators (to the log: stderr).
void note_left_out(const ModelAndDesign& md);

/// The default model when --model is not given.
inline const char* kDefaultModel = "vit-fmnist";
inline const char* kDefaultArch = "lowpower-vit-28nm";

}  // namespace vitdse::cli

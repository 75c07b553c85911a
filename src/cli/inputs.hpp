// Loading a model and an optional design file, shared by the subcommands.
#pragma once

#include <memory>
#include <string>

#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::cli {

struct ModelAndDesign {
  std::unique_ptr<model::Workload> workload;  ///< stable address: designs refer to it
  model::Design design;
};

/// The model card by name or path, and the design file (or the built-in defaults if empty).
ModelAndDesign load_model_and_design(const std::string& model, const std::string& design_path);

/// The default model when --model is not given.
inline const char* kDefaultModel = "vit-fmnist";
inline const char* kDefaultArch = "lowpower-vit-28nm";

}  // namespace vitdse::cli

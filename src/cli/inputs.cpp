// Shared input loading for subcommands.
#include "cli/inputs.hpp"

namespace vitdse::cli {

ModelAndDesign load_model_and_design(const std::string& model, const std::string& design_path) {
  ModelAndDesign out;
  out.workload = std::make_unique<model::Workload>(model::load_model_card(model));
  out.design =
      design_path.empty() ? model::default_design(*out.workload) : model::load_design(design_path, *out.workload);
  return out;
}

}  // namespace vitdse::cli

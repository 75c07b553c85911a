// Shared input loading for subcommands.
#include "cli/inputs.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "vitdse/model/onnx_workload.hpp"

namespace vitdse::cli {

ModelAndDesign load_model_and_design(const std::string& model, const std::string& design_path,
                                     const ModelInput& input) {
  ModelAndDesign out;
  if (input.graphs && std::filesystem::path(model).extension() == ".onnx") {
    auto graph = model::load_onnx_workload(model, input.allow_unpriced);
    out.workload = std::make_unique<model::Workload>(std::move(graph.workload));
    out.unpriced = std::move(graph.unpriced);
    out.uncounted = std::move(graph.uncounted);
  } else {
    out.workload = std::make_unique<model::Workload>(model::load_model_card(model));
  }
  out.design =
      design_path.empty() ? model::default_design(*out.workload) : model::load_design(design_path, *out.workload);
  return out;
}

void note_left_out(const ModelAndDesign& md) {
  if (!md.unpriced.empty())
    spdlog::warn("left out, unpriced (--allow-unpriced): {}", model::describe_counts(md.unpriced));
  if (!md.uncounted.empty())
    spdlog::info("not counted by the cost model (data movement and element-wise arithmetic): {}",
                 model::describe_counts(md.uncounted));
}

}  // namespace vitdse::cli

// Stands in for the ONNX reader in a build without libonnx: every request for a model file says
// how to get one.
#include "vitdse/core/error.hpp"
#include "vitdse/model/onnx_graph.hpp"

namespace vitdse::model {

bool onnx_built() { return false; }

OnnxGraph load_onnx_graph(const std::filesystem::path& file) {
  throw Error(file.string() +
              ": this build of vitdse reads no ONNX models (install libonnx-dev and libprotobuf-dev, then rebuild; "
              "README, \"Installing\")");
}

}  // namespace vitdse::model

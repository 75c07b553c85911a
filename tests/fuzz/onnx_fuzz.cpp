// Fuzz target: ONNX models, read and shape-inferred, mapped onto a workload, priced by layer, and
// imported as a timm ViT where they are one.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/model/onnx_import.hpp"
#include "vitdse/model/onnx_workload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vitdse::fuzz::expect_errors([&] {
    const auto path = vitdse::fuzz::write_scratch("model.onnx", std::span(data, size));
    const auto graph = vitdse::model::load_onnx_graph(path);
    const auto mapped = vitdse::model::onnx_workload(graph);
    static_cast<void>(mapped.workload.macs());
    static_cast<void>(mapped.workload.params());
    try {
      static_cast<void>(vitdse::model::import_onnx_vit(graph, {}));
    } catch (const vitdse::Error&) {  // most inputs are no ViT: a one-line error, as the workload's
    }
  });
}

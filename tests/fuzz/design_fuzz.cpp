// Fuzz target: design files, resolved per layer on the default model, canonicalised and counted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_fixtures.hpp"
#include "fuzz_util.hpp"
#include "vitdse/model/design.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& workload = vitdse::fuzz::fmnist_workload();
  return vitdse::fuzz::expect_errors([&] {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto design = vitdse::model::parse_design(text, "design.yaml", workload);
    static_cast<void>(vitdse::model::design_hash(design, workload));
    const auto schedule = workload.token_schedule(design.keep_after_block(workload));
    for (std::size_t i = 0; i < workload.layers().size(); ++i)
      static_cast<void>(vitdse::model::design_counts(workload, design, i, schedule));
  });
}

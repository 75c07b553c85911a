// Fuzz target: accelerator templates, loaded from a file and used to price the default design.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_fixtures.hpp"
#include "fuzz_util.hpp"
#include "vitdse/cost/cost_model.hpp"
#include "vitdse/model/design.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& workload = vitdse::fuzz::fmnist_workload();
  const auto& tech = vitdse::fuzz::shipped_technology();
  static const auto design = vitdse::model::default_design(workload);
  return vitdse::fuzz::expect_errors([&] {
    const auto path = vitdse::fuzz::write_scratch("arch.yaml", std::span(data, size));
    // The shipped technology, not the one the template names, so no fuzzed path is opened.
    const vitdse::cost::CostModel cost(workload, vitdse::cost::load_arch(path.string()), tech);
    static_cast<void>(cost.evaluate(design));
  });
}

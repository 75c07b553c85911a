// Fuzz target: technology tables, loaded from a file and used to price the default design.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_fixtures.hpp"
#include "fuzz_util.hpp"
#include "vitdse/cost/cost_model.hpp"
#include "vitdse/model/design.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& workload = vitdse::fuzz::fmnist_workload();
  const auto& arch = vitdse::fuzz::shipped_arch();
  static const auto design = vitdse::model::default_design(workload);
  return vitdse::fuzz::expect_errors([&] {
    const auto path = vitdse::fuzz::write_scratch("tech.yaml", std::span(data, size));
    const vitdse::cost::CostModel cost(workload, arch, vitdse::cost::load_technology(path.string()));
    static_cast<void>(cost.evaluate(design));
  });
}

// Fuzz target: search policies, parsed and turned into a design space on the default model.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_fixtures.hpp"
#include "fuzz_util.hpp"
#include "vitdse/search/policy.hpp"
#include "vitdse/search/space.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& workload = vitdse::fuzz::fmnist_workload();
  return vitdse::fuzz::expect_errors([&] {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto policy = vitdse::search::parse_policy(text, "policy.yaml");
    const auto space = vitdse::search::make_space(policy, workload);
    static_cast<void>(space.log10_size());
    // The first point of the space, as every search starts from one.
    vitdse::search::Point point(space.variables().size(), 0);
    space.check(point);
    static_cast<void>(space.design(point));
  });
}

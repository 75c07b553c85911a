// Fuzz target: model cards, loaded from a file and turned into a per-layer workload.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_util.hpp"
#include "vitdse/model/card.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vitdse::fuzz::expect_errors([&] {
    const auto path = vitdse::fuzz::write_scratch("card.yaml", std::span(data, size));
    // As `vitdse workload` does: the card, its layers and the counts of the default design.
    const vitdse::model::Workload workload(vitdse::model::load_model_card(path.string()));
    const auto design = vitdse::model::default_design(workload);
    const auto schedule = workload.token_schedule(design.keep_after_block(workload));
    for (std::size_t i = 0; i < workload.layers().size(); ++i)
      static_cast<void>(vitdse::model::design_counts(workload, design, i, schedule));
    static_cast<void>(workload.params());
  });
}

// Fuzz target: safetensors datasets ('images' and 'labels' tensors, optional train split).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dataset_check.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using vitdse::eval::Split;
  const auto path = vitdse::fuzz::write_scratch("data.safetensors", std::span(data, size));
  vitdse::fuzz::expect_errors([&] { static_cast<void>(vitdse::eval::detect_dataset_kind(path)); });
  vitdse::fuzz::expect_errors([&] { vitdse::fuzz::load_and_touch({"safetensors", path}, Split::test, std::nullopt); });
  return vitdse::fuzz::expect_errors([&] {
    vitdse::fuzz::load_and_touch({"safetensors", path}, Split::train, std::optional<std::size_t>(2));
  });
}

// Fuzz target: whole safetensors files (length prefix, header and data), opened and read.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_util.hpp"
#include "safetensors_read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vitdse::fuzz::expect_errors(
      [&] { vitdse::fuzz::read_every_tensor(vitdse::fuzz::write_scratch("file.safetensors", std::span(data, size))); });
}

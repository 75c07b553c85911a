// Fuzz target: safetensors JSON headers, framed by a valid length prefix and a data buffer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_util.hpp"
#include "safetensors_read.hpp"

// The input is the header text; the length prefix is always right, so the fuzzer spends its
// time in the JSON and in the offset checks rather than in the framing.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kDataBytes = 256;
  std::vector<std::uint8_t> file(8 + size + kDataBytes);
  for (std::size_t i = 0; i < 8; ++i) file[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(size) >> (8 * i));
  std::copy(data, data + size, file.begin() + 8);
  for (std::size_t i = 0; i < kDataBytes; ++i) file[8 + size + i] = static_cast<std::uint8_t>(i * 37 + 11);
  return vitdse::fuzz::expect_errors(
      [&] { vitdse::fuzz::read_every_tensor(vitdse::fuzz::write_scratch("header.safetensors", file)); });
}

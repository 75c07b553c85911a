// Fuzz target: binary LUT files (65,536 little-endian 16-bit products) for lut multipliers.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_util.hpp"
#include "lut_file.hpp"

// Input: a mode byte, then the file. Mode bits: 1 a signed table, 2 zero-pad the file to the
// full 131,072 bytes, which no input under the length limit could reach otherwise.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::vector<std::uint8_t> file(data + 1, data + size);
  if ((data[0] & 2) != 0 && file.size() < 131072) file.resize(131072, 0);
  return vitdse::fuzz::expect_errors(
      [&] { vitdse::fuzz::use_lut_file(vitdse::fuzz::write_scratch("table.bin", file), (data[0] & 1) != 0); });
}

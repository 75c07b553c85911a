// Fuzz target: CSV LUT files (256 rows of 256 integers) for lut multipliers.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "lut_file.hpp"

// Input: a mode byte, then the text. Mode bits: 1 a signed table, 2 repeat the text's lines
// until the file has 256 of them, since a whole table (over 130 KB) exceeds the length limit.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string file = text;
  if ((data[0] & 2) != 0 && !text.empty()) {
    const std::string block = text.back() == '\n' ? text : text + '\n';
    const auto lines = static_cast<std::size_t>(std::count(block.begin(), block.end(), '\n'));
    file.clear();
    for (std::size_t emitted = 0; emitted < 256;) {
      file += block;
      emitted += lines;
    }
  }
  const std::vector<std::uint8_t> bytes(file.begin(), file.end());
  return vitdse::fuzz::expect_errors(
      [&] { vitdse::fuzz::use_lut_file(vitdse::fuzz::write_scratch("table.csv", bytes), (data[0] & 1) != 0); });
}

// lut: a user-supplied 256x256 product table with a declared cost (TFApprox/TransAxx order).
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::arith {

namespace {

constexpr std::size_t kSide = 256;
constexpr std::size_t kEntries = kSide * kSide;

/// Entry (i, j) is the product of the operands whose two's-complement bytes are i and j
/// (-1 -> 255), stored at index 256·i + j: binary files hold 65,536 little-endian 16-bit
/// integers (int16 for a signed table, uint16 for an unsigned one); CSV files hold 256 rows of
/// 256 integers.
std::vector<std::int32_t> read_table(const std::string& spec, const std::string& path, bool is_signed) {
  const std::string where = "unit spec '" + spec + "': LUT file '" + path + "'";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(where + " cannot be opened");
  // Checked before reading, so that a device (/dev/zero) or a huge file is refused at once
  // instead of read into memory; a 256x256 CSV of 16-bit values is under 1 MB.
  const bool csv = path.ends_with(".csv");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(where + " is not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(where + " cannot be opened");
  constexpr std::uintmax_t kMaxCsvBytes = 16U << 20;
  if (csv && size > kMaxCsvBytes)
    throw Error(where + " has " + std::to_string(size) + " bytes; a 256x256 CSV table needs under 1 MB");
  if (!csv && size != 2 * kEntries)
    throw Error(where + " has " + std::to_string(size) + " bytes; expected 131072 (256x256 16-bit entries)");
  std::vector<std::int32_t> table;
  table.reserve(kEntries);
  const long lo = is_signed ? -32768 : 0, hi = is_signed ? 32767 : 65535;
  if (csv) {
    std::string line;
    std::size_t row = 0;
    while (std::getline(in, line)) {
      if (line.empty() || line == "\r") continue;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto cells = split(line, ',');
      if (cells.size() != kSide) {
        throw Error(where + " row " + std::to_string(row + 1) + " has " + std::to_string(cells.size()) +
                    " values; expected 256");
      }
      for (const auto& cell : cells) {
        const long long v = parse_int(cell, where + " row " + std::to_string(row + 1));
        if (v < lo || v > hi)
          throw Error(where + ": value " + cell + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
        table.push_back(static_cast<std::int32_t>(v));
      }
      ++row;
    }
    if (row != kSide) throw Error(where + " has " + std::to_string(row) + " rows; expected 256");
    return table;
  }
  std::vector<unsigned char> bytes(2 * kEntries);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw Error(where + " could not be read");
  for (std::size_t e = 0; e < kEntries; ++e) {
    const auto raw = static_cast<std::uint16_t>(bytes[2 * e] | (bytes[2 * e + 1] << 8));
    table.push_back(is_signed ? static_cast<std::int16_t>(raw) : static_cast<std::int32_t>(raw));
  }
  return table;
}

class LutMultiplier final : public Multiplier {
 public:
  LutMultiplier(const UnitSpec& spec, Width width, std::vector<std::int32_t> table, DeclaredCost cost)
      : Multiplier(spec.canonical(), width), table_(std::move(table)), cost_(cost) {}

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const override {
    return table_[(static_cast<std::size_t>(a) & 0xFF) * kSide + (static_cast<std::size_t>(b) & 0xFF)];
  }
  [[nodiscard]] Hardware hardware() const override { return {}; }
  [[nodiscard]] std::optional<DeclaredCost> declared_cost() const override { return cost_; }

 private:
  std::vector<std::int32_t> table_;
  DeclaredCost cost_;
};

}  // namespace

MultiplierFamily lut_family() {
  MultiplierFamily f;
  f.name = "lut";
  f.summary = "user lookup table, 256x256 16-bit binary or CSV in two's-complement byte order, declared cost";
  f.min_bits = 8;
  f.max_bits = 8;
  f.params = {{"file", "path (required)", "the table: .bin (little-endian 16-bit) or .csv (256 rows of 256)"},
              {"mw", "> 0 (required)", "declared power in mW"},
              {"um2", "> 0 (required)", "declared area in um^2"},
              {"ns", "> 0 (default 1)", "declared delay in ns"},
              {"node", "7..45 (default 45)", "the node the declared figures are for, in nm"}};
  f.make = [](const UnitSpec& spec, Width width) -> std::unique_ptr<Multiplier> {
    const auto file = spec.params.find("file");
    if (file == spec.params.end())
      throw Error("unit spec '" + spec.text + "': missing file=<path to the 256x256 table>");
    for (const char* key : {"mw", "um2"}) {
      if (spec.params.count(key) == 0)
        throw Error("unit spec '" + spec.text + "': missing " + key + "=<declared cost>");
    }
    DeclaredCost cost;
    cost.power_mW = double_param(spec, "mw", 1e-9, 1e6, 0);
    cost.area_um2 = double_param(spec, "um2", 1e-9, 1e9, 0);
    cost.delay_ns = double_param(spec, "ns", 1e-9, 1e6, 1);
    cost.node_nm = double_param(spec, "node", 7, 45, 45);
    auto table = read_table(spec.text, file->second, width.is_signed);
    return std::make_unique<LutMultiplier>(spec, width, std::move(table), cost);
  };
  return f;
}

}  // namespace vitdse::arith

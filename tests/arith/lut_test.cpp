// User lookup-table multipliers: both file formats, byte order, declared cost, bad files.
#include <gtest/gtest.h>

#include <fstream>

#include "test_util.hpp"
#include "vitdse/arith/metrics.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/cost/technology.hpp"

namespace vitdse::arith {

namespace {

/// Writes `m`'s table as little-endian 16-bit binary, index 256·(a & 0xFF) + (b & 0xFF).
std::string write_binary(const vitdse::test::TempDir& dir, const std::string& name, const Multiplier& m) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; ++j) {
      const std::int64_t a = m.is_signed() ? static_cast<std::int8_t>(i) : i;
      const std::int64_t b = m.is_signed() ? static_cast<std::int8_t>(j) : j;
      const auto v = static_cast<std::uint16_t>(m.mul(a, b));
      bytes += static_cast<char>(v & 0xFF);
      bytes += static_cast<char>(v >> 8);
    }
  }
  return dir.write(name, bytes);
}

}  // namespace

TEST(LutMultiplier, BinaryTableReproducesTheUnit) {
  vitdse::test::TempDir dir;
  for (const char* spec : {"drum:8s:k=4", "trunc:8u:t=6"}) {
    const auto source = make_multiplier(spec);
    const std::string sign = source->is_signed() ? "8s" : "8u";
    const auto path = write_binary(dir, std::string(spec).substr(0, 4) + ".bin", *source);
    const auto lut = make_multiplier("lut:" + sign + ":file=" + path + ":mw=0.301:um2=558.9:ns=1.36");
    EXPECT_EQ(build_lut(*lut), build_lut(*source)) << spec;
    EXPECT_EQ(lut->mul(-1, -1), source->mul(-1, -1));
  }
}

TEST(LutMultiplier, CsvTableAndDeclaredCost) {
  vitdse::test::TempDir dir;
  const auto exact = make_multiplier("exact:8s");
  std::string csv;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; ++j) {
      csv += std::to_string(exact->mul(static_cast<std::int8_t>(i), static_cast<std::int8_t>(j)));
      csv += j < 255 ? "," : "\n";
    }
  }
  const auto path = dir.write("exact.csv", csv);
  // EvoApproxLib mul8s_1L2H's published figures (PDK45): 0.301 mW, 558.9 um^2, 1.36 ns.
  const auto lut = make_multiplier("lut:8s:file=" + path + ":mw=0.301:um2=558.9:ns=1.36");
  EXPECT_EQ(error_metrics(*lut).mae_pct, 0);
  const auto c45 = cost::load_technology("cmos45").price(*lut);
  EXPECT_DOUBLE_EQ(c45.area_um2, 558.9);
  EXPECT_DOUBLE_EQ(c45.power_mW, 0.301);
  EXPECT_DOUBLE_EQ(c45.delay_ns, 1.36);
  const auto c28 = cost::load_technology("cmos45", 28).price(*lut);
  EXPECT_LT(c28.area_um2, c45.area_um2);
  EXPECT_LT(c28.energy_pJ, c45.energy_pJ);
}

TEST(LutMultiplier, BadFilesFailWithOneLine) {
  vitdse::test::TempDir dir;
  const auto short_bin = dir.write("short.bin", std::string(1000, '\0'));
  const auto bad_csv = dir.write("bad.csv", "1,2,3\n");
  const auto big = dir.write("big.csv", [] {
    std::string s;
    for (int i = 0; i < 256; ++i) {
      for (int j = 0; j < 256; ++j) s += (i == 3 && j == 4 ? "70000" : "1") + std::string(j < 255 ? "," : "\n");
    }
    return s;
  }());
  const auto huge_csv = dir.write("huge.csv", "");
  std::filesystem::resize_file(huge_csv, std::uintmax_t{1} << 30);  // sparse: no disk used
  const std::pair<std::string, std::string> cases[] = {
      {"lut:8s:file=" + short_bin + ":mw=1:um2=1", "has 1000 bytes; expected 131072"},
      {"lut:8s:file=" + bad_csv + ":mw=1:um2=1", "row 1 has 3 values; expected 256"},
      {"lut:8s:file=" + big + ":mw=1:um2=1", "value 70000 is outside -32768..32767"},
      {"lut:8s:file=" + (dir.path() / "none.bin").string() + ":mw=1:um2=1", "cannot be opened"},
      // Refused before reading: a device that never ends, a file far too large to be a table.
      {"lut:8s:file=/dev/zero:mw=1:um2=1", "'/dev/zero' is not a regular file"},
      {"lut:8s:file=" + huge_csv + ":mw=1:um2=1", "has 1073741824 bytes; a 256x256 CSV table needs under 1 MB"},
      {"lut:8s:file=" + short_bin + ":um2=1", "missing mw="},
      {"lut:8s:file=" + short_bin + ":mw=-1:um2=1", "mw=-1 is out of range"},
  };
  for (const auto& [spec, expect] : cases) {
    try {
      make_multiplier(spec);
      ADD_FAILURE() << spec;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

}  // namespace vitdse::arith

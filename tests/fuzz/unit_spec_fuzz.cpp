// Fuzz target: unit specs, through the multiplier and nonlinear registries, built and priced.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_fixtures.hpp"
#include "fuzz_util.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/unit_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& tech = vitdse::fuzz::shipped_technology();
  const std::string text(reinterpret_cast<const char*>(data), size);
  vitdse::fuzz::expect_errors([&] { static_cast<void>(vitdse::arith::parse_unit_spec(text).canonical()); });
  // lut units read the file their spec names; the LUT targets cover them with files of their own.
  if (text.starts_with("lut")) return 0;
  vitdse::fuzz::expect_errors([&] {
    const auto unit = vitdse::arith::make_multiplier(text);
    static_cast<void>(tech.price(*unit));
    const std::int64_t lo = unit->min_operand(), hi = unit->max_operand();
    for (const std::int64_t a : {lo, std::int64_t{0}, std::int64_t{1}, hi})
      for (const std::int64_t b : {lo, std::int64_t{1}, hi}) static_cast<void>(unit->mul(a, b));
  });
  return vitdse::fuzz::expect_errors([&] {
    const auto unit = vitdse::arith::make_nonlinear(text);
    static_cast<void>(tech.price(unit->element_hardware()));
    static_cast<void>(tech.price(unit->row_hardware()));
  });
}

// Shared by the LUT targets: builds a lut multiplier from a table file, reads products and prices it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz_fixtures.hpp"
#include "vitdse/arith/multiplier.hpp"

namespace vitdse::fuzz {

inline void use_lut_file(const std::filesystem::path& path, bool is_signed) {
  const auto unit = arith::make_multiplier(std::string("lut:") + (is_signed ? "8s" : "8u") + ":file=" + path.string() +
                                           ":mw=1:um2=100");
  // A row and a column of products: the whole 65,536-pair error sweep of `vitdse units` is
  // arithmetic on values the reader already range-checked, and would cost 100x the parse.
  for (std::int64_t v = unit->min_operand(); v <= unit->max_operand(); ++v) {
    static_cast<void>(unit->mul(v, unit->max_operand()));
    static_cast<void>(unit->mul(unit->min_operand(), v));
  }
  static_cast<void>(shipped_technology().price(*unit));
}

}  // namespace vitdse::fuzz

// The registry of multiplier families, keyed by the family name in a unit spec.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vitdse/arith/multiplier.hpp"

namespace vitdse::arith {

/// One documented parameter of a family.
struct ParamInfo {
  std::string key;
  std::string range;  ///< e.g. "1..2n-1"
  std::string meaning;
};

/// A family: its name, widths, parameters and factory. Adding a family is one source file that
/// defines a FamilyInfo plus one line in multiplier_registry.cpp.
struct MultiplierFamily {
  std::string name;
  std::string summary;
  int min_bits = 2;
  int max_bits = 16;
  std::vector<ParamInfo> params;
  std::function<std::unique_ptr<Multiplier>(const UnitSpec&, Width)> make;
};

/// All registered families, sorted by name.
const std::vector<MultiplierFamily>& multiplier_families();

/// Rejects keys the family does not document, naming the allowed ones.
void check_param_keys(const UnitSpec& spec, const MultiplierFamily& family);

/// An integer parameter in [lo, hi] (`fallback` when absent); errors name the spec and range.
int int_param(const UnitSpec& spec, const std::string& key, int lo, int hi, int fallback);
/// A required integer parameter in [lo, hi].
int required_int_param(const UnitSpec& spec, const std::string& key, int lo, int hi);
/// A non-negative decimal parameter (`fallback` when absent).
double double_param(const UnitSpec& spec, const std::string& key, double lo, double hi, double fallback);

// Families (one file each under src/arith/multipliers/).
MultiplierFamily exact_family();
MultiplierFamily trunc_family();
MultiplierFamily bam_family();
MultiplierFamily drum_family();
MultiplierFamily mitchell_family();
MultiplierFamily roba_family();
MultiplierFamily kulkarni_family();
MultiplierFamily lut_family();
MultiplierFamily sc_family();

}  // namespace vitdse::arith

// The ASCEND-style comparison of nonlinear units: accuracy against cost, one row per unit.
#pragma once

#include <string>
#include <vector>

#include "vitdse/cost/technology.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::report {

/// One nonlinear unit's error against the exact function and its cost per element.
struct NonlinearFigures {
  std::string kind, spec;  ///< "gelu", "softmax" or "layernorm"; the canonical spec
  double mae = 0, max_error = 0;
  double area_um2 = 0, delay_ns = 0, energy_pJ = 0;
  [[nodiscard]] double adp_um2_ns() const { return area_um2 * delay_ns; }
};

/// The figures of one spec at `tech`'s node; row work amortised over `row_length` elements.
NonlinearFigures nonlinear_figures(const std::string& spec, const cost::Technology& tech, int row_length = 64);

/// For each spec: kind, spec, MAE and max error against the exact function on the inputs of
/// arith/nonlinear_error.hpp, and area, delay, energy and ADP per element at `tech`'s node.
/// Row work (softmax's normalisation, LayerNorm's statistics) is amortised over `row_length`
/// elements.
Table nonlinear_report(const std::vector<std::string>& specs, const cost::Technology& tech, int row_length = 64);

/// The stream lengths the report sweeps by default.
std::vector<int> default_sc_lengths();

/// Every registered GELU, softmax and LayerNorm variant at its defaults, plus the iterative
/// softmax at each k in 0..4; variants with a stream length `L` (the SC units) once per length
/// in `lengths`, the others once. A length a variant does not allow is an Error.
std::vector<std::string> default_nonlinear_specs(const std::vector<int>& lengths = default_sc_lengths());

}  // namespace vitdse::report

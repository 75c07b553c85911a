// Pareto fronts and search traces as tables (pareto.csv, all.csv, hv.csv).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vitdse/report/table.hpp"
#include "vitdse/search/objectives.hpp"
#include "vitdse/search/search_run.hpp"

namespace vitdse::report {

/// One scored design as exported.
struct DesignRow {
  std::string design_hash;
  std::string canonical;
  search::Score score;                     ///< on the search's evaluation slice
  std::optional<search::Score> full_test;  ///< re-scored on the full test split, if done
};

/// Indices of the feasible rows no other feasible row dominates in `metrics` (minimised; see
/// search::metric_value), sorted by the first metric, then the others. Equal rows are kept once.
std::vector<std::size_t> pareto_front(const std::vector<DesignRow>& rows, const std::vector<search::Metric>& metrics,
                                      const std::vector<search::Constraint>& constraints, double float_top1_pct);

/// pareto.csv: one row per design with its hash, every metric with its unit, the full-test
/// accuracy where measured, and (unless `with_design` is false, for a terminal) the canonical design.
Table design_table(const std::vector<DesignRow>& rows, const std::vector<std::size_t>& which, double float_top1_pct,
                   bool with_design = true);
/// all.csv: every evaluation in order, with whether it was cached, feasible and on the final front,
/// and the test images its score covers (fewer for a screened-out point).
Table evaluations_table(const search::SearchRun& run);
/// hv.csv: after each evaluation, the full evaluations and images scored so far and the archive's
/// hypervolume and size.
Table hypervolume_table(const search::SearchRun& run);

}  // namespace vitdse::report

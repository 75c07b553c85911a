// Fronts read back from the database: one run's, or several runs' merged.
#pragma once

#include <string>
#include <vector>

#include "vitdse/report/pareto_table.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::report {

/// The designs of some runs and the front among them, under the first run's objectives.
struct StoredFront {
  std::vector<search::Metric> metrics;
  std::vector<search::Constraint> constraints;
  double float_top1_pct = 0;
  std::vector<DesignRow> rows;     ///< every distinct design the runs scored
  std::vector<std::size_t> front;  ///< indices into rows
};

/// Reads the runs (all must share a scoring context: the same model, weights, test images and
/// template, or their accuracies would not be comparable) and finds their front. No ids: the
/// most recent run.
StoredFront stored_front(const store::Database& db, std::vector<std::string> run_ids);

}  // namespace vitdse::report

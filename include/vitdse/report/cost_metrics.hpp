// The cost report as a flat list of metrics, each with its unit (for text, CSV and JSON alike), and
// as a table of its layers.
#pragma once

#include <vector>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::report {

/// Every figure of a CostReport, unit-suffixed keys, in reading order.
std::vector<Metric> cost_metrics(const cost::CostReport& r);

/// One row per workload layer (CostModel::evaluate's `layers`): MACs, cycles, PE utilisation,
/// energy by kind and the layer's unit; with `total`, a last row of the sums.
Table layer_cost_table(const model::Workload& workload, const std::vector<cost::LayerCost>& layers, bool total);

}  // namespace vitdse::report

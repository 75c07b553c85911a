// The cost report as a flat list of metrics, each with its unit (for text, CSV and JSON alike).
#pragma once

#include <vector>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::report {

/// Every figure of a CostReport, unit-suffixed keys, in reading order.
std::vector<Metric> cost_metrics(const cost::CostReport& r);

}  // namespace vitdse::report

// An arithmetic unit's error metrics and cost as one metric list (`vitdse units --spec`).
#pragma once

#include <vector>

#include "vitdse/arith/metrics.hpp"
#include "vitdse/cost/technology.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::report {

/// mae_pct, wce_pct, mre_pct, ep_pct, bias_pct, mse, power_mW, area_um2, delay_ns, energy_pJ.
std::vector<Metric> unit_metrics(const arith::ErrorMetrics& error, const cost::UnitCost& cost);

}  // namespace vitdse::report

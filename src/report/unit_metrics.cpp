// Flattening a unit's error metrics and cost into named metrics.
#include "vitdse/report/unit_metrics.hpp"

namespace vitdse::report {

std::vector<Metric> unit_metrics(const arith::ErrorMetrics& e, const cost::UnitCost& c) {
  return {
      {"mae_pct", "mean absolute error (of 2^2n)", "%", e.mae_pct},
      {"wce_pct", "worst-case error (of 2^2n)", "%", e.wce_pct},
      {"mre_pct", "mean relative error", "%", e.mre_pct},
      {"ep_pct", "error probability", "%", e.ep_pct},
      {"bias_pct", "mean error (of 2^2n)", "%", e.bias_pct},
      {"mse", "mean squared error", "", e.mse},
      {"power_mW", "power at 1 G op/s", "mW", c.power_mW},
      {"area_um2", "area", "um2", c.area_um2},
      {"delay_ns", "delay", "ns", c.delay_ns},
      {"energy_pJ", "energy per operation", "pJ", c.energy_pJ},
  };
}

}  // namespace vitdse::report

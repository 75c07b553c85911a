// Objectives, constraints and the normalisation that makes hypervolumes comparable.
#pragma once

#include <string>
#include <vector>

#include "vitdse/search/score.hpp"

namespace vitdse::search {

/// A figure of a score that can be an objective or a constraint. Objectives are minimised:
/// accuracy enters as `top1_drop_pp`, the loss against the float model on the same images.
enum class Metric { top1_drop_pp, top1_pct, energy_uJ, area_mm2, latency_ms, power_mW, mult_power };

/// CSV name with its unit, e.g. "energy_uJ".
std::string to_string(Metric m);
/// Value of `m` in `s`; `float_top1_pct` is the float model's top-1 on the same images.
double metric_value(Metric m, const Score& s, double float_top1_pct);

/// `--objectives` names: top1, energy, area, latency, power, mult_power.
Metric parse_objective(const std::string& name);
std::vector<Metric> parse_objectives(const std::string& comma_list);

/// `metric <= value` or `metric >= value`, e.g. "top1_drop_pp <= 2", "area_mm2<=1.5".
struct Constraint {
  Metric metric = Metric::top1_drop_pp;
  bool at_most = true;  ///< <= (else >=)
  double bound = 0;
  /// How far `value` is outside the bound, relative to |bound| (0 when satisfied).
  [[nodiscard]] double violation(double value) const;
  [[nodiscard]] std::string text() const;
};
Constraint parse_constraint(const std::string& text);

/// Maps scores to minimised, normalised objective vectors. Accuracy drop is divided by
/// `drop_scale_pp`; cost metrics by the base design's value. The hypervolume reference point is
/// (1, ..., 1): a design counts when it loses less than `drop_scale_pp` and costs less than the
/// base design, so every algorithm of a comparison is measured in the same box.
class Objectives {
 public:
  Objectives(std::vector<Metric> metrics, std::vector<Constraint> constraints, double float_top1_pct, const Score& base,
             double drop_scale_pp);

  [[nodiscard]] const std::vector<Metric>& metrics() const { return metrics_; }
  [[nodiscard]] const std::vector<Constraint>& constraints() const { return constraints_; }
  [[nodiscard]] double float_top1_pct() const { return float_top1_pct_; }
  /// The accuracy drop, pp, that normalises to 1: the accuracy side of the reference box.
  [[nodiscard]] double drop_scale_pp() const { return drop_scale_pp_; }
  [[nodiscard]] std::vector<double> normalised(const Score& s) const;
  /// Sum of the constraints' relative violations (0 when feasible).
  [[nodiscard]] double violation(const Score& s) const;

 private:
  std::vector<Metric> metrics_;
  std::vector<Constraint> constraints_;
  double float_top1_pct_;
  double drop_scale_pp_;
  std::vector<double> scale_;
};

}  // namespace vitdse::search

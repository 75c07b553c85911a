// Objectives, constraints and their normalisation.
#include "vitdse/search/objectives.hpp"

#include <cmath>
#include <regex>

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::search {

namespace {

struct MetricName {
  Metric metric;
  const char* csv;
  const char* objective;  ///< the --objectives name, or null when not an objective
};
constexpr MetricName kMetrics[] = {
    {Metric::top1_drop_pp, "top1_drop_pp", "top1"},   {Metric::top1_pct, "top1_pct", nullptr},
    {Metric::energy_uJ, "energy_uJ", "energy"},       {Metric::area_mm2, "area_mm2", "area"},
    {Metric::latency_ms, "latency_ms", "latency"},    {Metric::power_mW, "power_mW", "power"},
    {Metric::mult_power, "mult_power", "mult_power"},
};

}  // namespace

std::string to_string(Metric m) {
  for (const auto& n : kMetrics) {
    if (n.metric == m) return n.csv;
  }
  return "?";
}

double metric_value(Metric m, const Score& s, double float_top1_pct) {
  switch (m) {
    case Metric::top1_drop_pp:
      return float_top1_pct - s.top1_pct;
    case Metric::top1_pct:
      return s.top1_pct;
    case Metric::energy_uJ:
      return s.energy_uJ;
    case Metric::area_mm2:
      return s.area_mm2;
    case Metric::latency_ms:
      return s.latency_ms;
    case Metric::power_mW:
      return s.power_mW;
    case Metric::mult_power:
      return s.mult_power;
  }
  return 0;
}

Metric parse_objective(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& n : kMetrics) {
    if (n.objective == nullptr) continue;
    if (name == n.objective) return n.metric;
    names.emplace_back(n.objective);
  }
  throw usage_error("unknown objective '" + name + "'" + did_you_mean(name, names) + "; objectives: " + join(names));
}

std::vector<Metric> parse_objectives(const std::string& comma_list) {
  std::vector<Metric> out;
  for (const auto& part : split(comma_list, ',')) {
    const Metric m = parse_objective(part);
    if (std::find(out.begin(), out.end(), m) != out.end()) throw usage_error("objective '" + part + "' is given twice");
    out.push_back(m);
  }
  if (out.size() < 2) throw usage_error("give at least two objectives, e.g. top1,energy");
  if (out.front() != Metric::top1_drop_pp) throw usage_error("the first objective must be top1 (accuracy)");
  return out;
}

double Constraint::violation(double value) const {
  const double over = at_most ? value - bound : bound - value;
  return over <= 0 ? 0.0 : over / std::max(std::abs(bound), 1e-9);
}

std::string Constraint::text() const {
  return fmt::format("{} {} {}", to_string(metric), at_most ? "<=" : ">=", bound);
}

Constraint parse_constraint(const std::string& text) {
  static const std::regex form(R"(^\s*([a-z0-9_]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    throw usage_error("constraint '" + text +
                      "' must read 'metric <= value' or 'metric >= value', e.g. 'top1_drop_pp <= 2'");
  }
  Constraint c;
  std::vector<std::string> names;
  bool found = false;
  for (const auto& n : kMetrics) {
    names.emplace_back(n.csv);
    if (m[1] == n.csv) c.metric = n.metric, found = true;
  }
  if (!found) {
    throw usage_error("constraint '" + text + "': unknown metric '" + m[1].str() + "'" +
                      did_you_mean(m[1].str(), names) + "; metrics: " + join(names));
  }
  c.at_most = m[2] == "<=";
  c.bound = parse_double(m[3].str(), "constraint bound");
  return c;
}

Objectives::Objectives(std::vector<Metric> metrics, std::vector<Constraint> constraints, double float_top1_pct,
                       const Score& base, double drop_scale_pp)
    : metrics_(std::move(metrics)),
      constraints_(std::move(constraints)),
      float_top1_pct_(float_top1_pct),
      drop_scale_pp_(drop_scale_pp) {
  if (!(drop_scale_pp > 0)) throw Error("the accuracy-drop scale must be positive");
  for (const Metric m : metrics_) {
    const double scale = m == Metric::top1_drop_pp ? drop_scale_pp : metric_value(m, base, float_top1_pct);
    if (!(scale > 0)) throw Error("the base design's " + to_string(m) + " is not positive, so it cannot normalise");
    scale_.push_back(scale);
  }
}

std::vector<double> Objectives::normalised(const Score& s) const {
  std::vector<double> out(metrics_.size());
  for (std::size_t i = 0; i < metrics_.size(); ++i) out[i] = metric_value(metrics_[i], s, float_top1_pct_) / scale_[i];
  return out;
}

double Objectives::violation(const Score& s) const {
  double v = 0;
  for (const auto& c : constraints_) v += c.violation(metric_value(c.metric, s, float_top1_pct_));
  return v;
}

}  // namespace vitdse::search

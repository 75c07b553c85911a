// What every evaluator shares: devices by name, the factory, and the Wilson interval.
#include "vitdse/eval/evaluator.hpp"

#include <algorithm>
#include <cmath>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/cpu_evaluator.hpp"
#include "vitdse/eval/lut_gemm.hpp"

namespace vitdse::eval {

std::string to_string(Device device) {
  switch (device) {
    case Device::cpu:
      return "cpu";
  }
  return "cpu";
}

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::cpu;
  throw Error("unknown device '" + printable(name) + "'; this build evaluates on: cpu");
}

std::unique_ptr<Evaluator> make_evaluator(const model::ModelCard& card, VitWeights weights, const DatasetSource& source,
                                          const EvalOptions& options, Device device) {
  (void)gemm_path_from_environment();  // a bad VITDSE_GEMM_KERNEL fails here, before any work
  switch (device) {
    case Device::cpu:
      return std::make_unique<CpuEvaluator>(card, std::move(weights), source, options);
  }
  throw Error("unknown device");
}

std::pair<double, double> wilson_interval_pct(std::size_t successes, std::size_t n) {
  if (n == 0) return {0.0, 100.0};
  constexpr double z = 1.96;
  const double nn = static_cast<double>(n), p = static_cast<double>(successes) / nn;
  const double centre = (p + z * z / (2 * nn)) / (1 + z * z / nn);
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
  return {100.0 * std::max(0.0, centre - half), 100.0 * std::min(1.0, centre + half)};
}

}  // namespace vitdse::eval

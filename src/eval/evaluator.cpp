// What every evaluator shares: a whole design's evaluation from its pieces, devices by name, the
// factory, and the Wilson interval.
#include "vitdse/eval/evaluator.hpp"

#include <algorithm>
#include <cmath>

#include "gemm_kernel.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/conv_evaluator.hpp"
#include "vitdse/eval/cpu_evaluator.hpp"
#include "vitdse/eval/lut_gemm.hpp"

namespace vitdse::eval {

EvalReport Evaluator::evaluate(const model::Design& design, const model::Workload& workload) const {
  const ChunkLogits logits = chunk_logits(design, workload, 0, image_chunks());
  EvalReport r = report(logits.values);
  r.seconds = logits.seconds;
  return r;
}

std::string to_string(Device device) {
  return device.kind == Device::Kind::cpu ? "cpu" : "cuda:" + std::to_string(device.index);
}

bool built_with_cuda() { return detail::cuda_built(); }

std::string device_unavailable(Device device) {
  return device.kind == Device::Kind::cpu ? "" : detail::cuda_unavailable(device.index);
}

std::string describe(Device device) {
  if (device.kind == Device::Kind::cpu) return "cpu";
  return to_string(device) + " (" + detail::cuda_describe(device.index) + ")";
}

Device parse_device(const std::string& name) {
  Device d;
  if (name == "cuda") {
    d = Device::cuda(0);
  } else if (name.starts_with("cuda:") && name.size() > 5 && name.size() <= 8 &&
             name.find_first_not_of("0123456789", 5) == std::string::npos) {
    d = Device::cuda(std::stoi(name.substr(5)));
  } else if (name != "cpu") {
    throw usage_error("unknown device '" + printable(name) + "'; use cpu, cuda or cuda:N");
  }
  const std::string why = device_unavailable(d);
  if (!why.empty()) throw usage_error("--device " + to_string(d) + ": " + why);
  return d;
}

std::unique_ptr<Evaluator> make_evaluator(const model::ModelCard& card, VitWeights weights, const DatasetSource& source,
                                          const EvalOptions& options, Device device) {
  (void)gemm_path_from_environment();  // a bad VITDSE_GEMM_KERNEL fails here, before any work
  const std::string why = device_unavailable(device);
  if (!why.empty()) throw usage_error("--device " + to_string(device) + ": " + why);
  return std::make_unique<CpuEvaluator>(card, std::move(weights), source, options, device);
}

std::unique_ptr<Evaluator> make_evaluator(const model::ModelCard& card, const DatasetSource& source,
                                          const EvalOptions& options, Device device) {
  if (card.family != model::Family::efficientvit)
    return make_evaluator(card, load_vit_weights(card), source, options, device);
  return make_evaluator(card, load_efficientvit_weights(card, card_weights_file(card)), source, options, device);
}

std::unique_ptr<Evaluator> make_evaluator(const model::ModelCard& card, const EfficientVitWeights& weights,
                                          const DatasetSource& source, const EvalOptions& options, Device device) {
  if (device.kind != Device::Kind::cpu) {
    throw usage_error("--device " + to_string(device) + ": model '" + card.name +
                      "' is an EfficientViT, whose designs are evaluated on the CPU only");
  }
  return std::make_unique<ConvEvaluator>(card, weights, source, options);
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

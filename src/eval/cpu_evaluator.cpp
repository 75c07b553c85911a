// The CPU evaluator: test images, float reference logits, calibration, and per-design scores.
#include "vitdse/eval/cpu_evaluator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <spdlog/fmt/fmt.h>

#include "evaluator_common.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/eval/sampling.hpp"

namespace vitdse::eval {

CpuEvaluator::CpuEvaluator(const model::ModelCard& card, VitWeights weights, const DatasetSource& source,
                           const EvalOptions& options, Device device)
    : engine_(card, std::move(weights)), options_(options), device_(device) {
  detail::EvaluationImages images = detail::load_evaluation_images(card, source, options);
  inputs_ = std::move(images.inputs);
  labels_ = std::move(images.labels);
  calibration_ = ActivationSamples::record(engine_, images.calibration_inputs, images.calibration_count);

  VitWeights& w = engine_.mutable_weights();  // viewed, not changed
  fingerprint_ = detail::evaluator_fingerprint(card, weight_tensors(w, card), inputs_, labels_,
                                               images.calibration_inputs, options.quant);
  const auto stage_bytes = labels_.size() * static_cast<std::size_t>(card.tokens()) *
                           static_cast<std::size_t>(card.embed_dim) * sizeof(float);
  prefix_fits_ = options.prefix_reuse && stage_bytes * static_cast<std::size_t>(card.depth + 1) <= kPrefixCacheBytes;
  prefix_.keys.resize(static_cast<std::size_t>(image_chunks()));
  const auto start = std::chrono::steady_clock::now();
  float_logits_ = engine_.forward(inputs_, static_cast<int>(labels_.size()));
  float_report_ = score(float_logits_);
  float_report_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int CpuEvaluator::image_chunks() const { return engine_.chunks(static_cast<int>(labels_.size())); }

std::shared_ptr<const DesignDatapath> CpuEvaluator::datapath_for(const model::Design& design,
                                                                 const model::Workload& workload, bool keep,
                                                                 double& setup_seconds) const {
  std::string canonical;
  if (keep) {
    canonical = model::canonical_json(design, workload);
    const std::lock_guard lock(kept_.mutex);
    if (kept_.design == canonical) return kept_.datapath;
  }
  const auto start = std::chrono::steady_clock::now();
  auto datapath = std::make_shared<const DesignDatapath>(engine_, workload, design, calibration_, options_.quant,
                                                         device_.kind == Device::Kind::cuda ? device_.index : -1);
  setup_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (keep) {
    const std::lock_guard lock(kept_.mutex);
    kept_.design = std::move(canonical);
    kept_.datapath = datapath;
  }
  return datapath;
}

ChunkLogits CpuEvaluator::chunk_logits(const model::Design& design, const model::Workload& workload, int first,
                                       int last) const {
  const auto start = std::chrono::steady_clock::now();
  const int batch = static_cast<int>(labels_.size()), chunks = image_chunks();
  if (first < 0 || last > chunks || first >= last) {
    throw Error(fmt::format("chunks [{}, {}) of {} asked of the evaluator", first, last, chunks));
  }
  ChunkLogits out;
  // A whole design is evaluated once; its parts (other processes have the rest) share a datapath.
  const auto datapath = datapath_for(design, workload, first != 0 || last != chunks, out.setup_seconds);
  FloatMatrix logits;
  std::unique_lock lock(prefix_.mutex, std::defer_lock);
  if (prefix_fits_ && lock.try_lock()) {
    auto keys = model::stage_keys(design, workload);
    std::vector<int> resume(static_cast<std::size_t>(last - first));
    for (int c = first; c < last; ++c) {
      auto& kept = prefix_.keys[static_cast<std::size_t>(c)];
      std::size_t shared = 0;
      while (shared < keys.size() && shared < kept.size() && keys[shared] == kept[shared]) ++shared;
      resume[static_cast<std::size_t>(c - first)] = static_cast<int>(shared);
      kept.clear();  // invalid until the pass completes
    }
    logits = engine_.forward_resuming(inputs_, batch, *datapath, prefix_.states, first, last, resume);
    for (int c = first; c < last; ++c) prefix_.keys[static_cast<std::size_t>(c)] = keys;
    prefix_.reused += static_cast<std::size_t>(*std::min_element(resume.begin(), resume.end()));
  } else {
    logits = engine_.forward_part(inputs_, batch, *datapath, first, last);
  }
  out.values.assign(logits.data(), logits.data() + logits.size());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

EvalReport CpuEvaluator::report(std::span<const float> logits) const {
  return detail::score_flat_logits(logits, float_logits_, labels_);
}

std::size_t CpuEvaluator::stages_reused() const {
  const std::lock_guard lock(prefix_.mutex);
  return prefix_.reused;
}

EvalReport CpuEvaluator::score(const FloatMatrix& logits) const {
  return detail::score_logits(logits, float_logits_, labels_);
}

}  // namespace vitdse::eval

// What one design point scores: accuracy from the evaluator and figures from the cost model.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "vitdse/model/design.hpp"

namespace vitdse::search {

/// A design's scores. Everything but `eval_s` is a deterministic function of the design and the
/// scoring context (weights, evaluation slice, template), so cached scores equal fresh ones.
struct Score {
  double top1_pct = 0;       ///< top-1 accuracy on the evaluation slice, %
  double agreement_pct = 0;  ///< top-1 equal to the float model's, %
  double kl_mean = 0;        ///< mean KL(float || design), nats
  double energy_uJ = 0;      ///< energy per inference, chip + DRAM
  double area_mm2 = 0;       ///< core area
  double latency_ms = 0;     ///< one inference
  double power_mW = 0;       ///< chip power at the achieved frame rate
  double mult_power = 0;     ///< TransAxx's measure: MAC share x multiplier power relative to exact, summed
  double snr_db = 0;         ///< logit SNR against the float model, dB (inf where the logits are equal)
  double eval_s = 0;         ///< wall time of the evaluation (not part of the result)
};

/// A design point ready to score: the resolved design, its canonical JSON and its hash.
struct Candidate {
  model::Design design;
  std::string canonical;
  std::string hash;
};

/// A score and whether it came from a cache rather than a fresh evaluation.
struct Scored {
  Score score;
  bool cached = false;
};

/// Scores batches of designs, in the manner of pagmo's batch fitness evaluator: the search hands
/// over a batch and waits for all of it, so a back end may spread a batch over threads or
/// processes (and share a cache) without the search knowing.
class BatchEvaluator {
 public:
  /// Called as each candidate's result is ready (from any thread), with its index in the batch:
  /// a decorator commits results there, so an interrupted batch loses nothing finished.
  using OnScored = std::function<void(std::size_t index, const Scored& scored)>;

  virtual ~BatchEvaluator() = default;
  /// One result per candidate, in order. A back end that was asked to stop may instead return the
  /// results of a leading part of the batch; results it reported beyond that stay reported.
  [[nodiscard]] std::vector<Scored> evaluate(std::span<const Candidate> batch) { return evaluate(batch, {}); }
  /// The same, calling `on_scored` (if set) for each result as it is ready.
  [[nodiscard]] virtual std::vector<Scored> evaluate(std::span<const Candidate> batch, const OnScored& on_scored) = 0;
};

}  // namespace vitdse::search

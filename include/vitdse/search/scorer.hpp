// Scoring a design point: the evaluator for accuracy, the cost model for energy, area, latency.
#pragma once

#include <string>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/search/score.hpp"

namespace vitdse::search {

/// The cache key of a design (canonical JSON) scored in a context (Scorer::context()).
std::string cache_key(const std::string& context, const std::string& canonical);

/// Scores designs of one workload; thread-safe. Holds references, so the evaluator, cost model
/// and workload must outlive it.
///
///     Scorer scorer(workload, evaluator, cost_model);
///     Score s = scorer.score(design);
class Scorer {
 public:
  Scorer(const model::Workload& workload, const eval::Evaluator& evaluator, const cost::CostModel& cost);

  [[nodiscard]] Score score(const model::Design& design) const;
  /// The cost model's figures only (accuracy fields zero): microseconds, for guiding a search.
  [[nodiscard]] Score cost_score(const model::Design& design) const;
  /// Builds a candidate (canonical JSON and hash) for a design of this workload.
  [[nodiscard]] Candidate candidate(model::Design design) const;

  /// Fingerprint (64 hex digits) of everything besides the design that a score depends on:
  /// weights, evaluation slice, calibration, template, technology, and the versions of the
  /// evaluator and the cost model. Cache keys are built from it.
  [[nodiscard]] const std::string& context() const { return context_; }
  /// The cache key of a candidate under this context.
  [[nodiscard]] std::string key(const Candidate& candidate) const;

  [[nodiscard]] const model::Workload& workload() const { return workload_; }
  [[nodiscard]] const eval::Evaluator& evaluator() const { return evaluator_; }
  [[nodiscard]] const cost::CostModel& cost_model() const { return cost_; }

 private:
  const model::Workload& workload_;
  const eval::Evaluator& evaluator_;
  const cost::CostModel& cost_;
  std::string context_;
};

}  // namespace vitdse::search

// Scoring a design point for real: the evaluator for accuracy, the cost model for energy, area
// and latency. Only the layers that build a search include this; the search sees `Scoring`.
#pragma once

#include <string>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/search/scoring.hpp"

namespace vitdse::search {

/// Holds references, so the evaluator, cost model and workload must outlive it.
///
///     Scorer scorer(workload, evaluator, cost_model);
///     Score s = scorer.score(design);
class Scorer final : public Scoring {
 public:
  Scorer(const model::Workload& workload, const eval::Evaluator& evaluator, const cost::CostModel& cost);

  [[nodiscard]] Score score(const model::Design& design) const override;
  [[nodiscard]] Score cost_score(const model::Design& design) const override;
  [[nodiscard]] double float_top1_pct() const override { return evaluator_.float_report().top1_pct; }
  [[nodiscard]] std::size_t images() const override { return evaluator_.float_report().images; }
  /// The evaluator's image chunks.
  [[nodiscard]] int parts() const override { return evaluator_.image_chunks(); }
  [[nodiscard]] PartialScore score_part(const model::Design& design, int first, int last) const override;
  [[nodiscard]] Score combine(const model::Design& design, std::span<const PartialScore> parts) const override;

  [[nodiscard]] const eval::Evaluator& evaluator() const { return evaluator_; }
  [[nodiscard]] const cost::CostModel& cost_model() const { return cost_; }

 private:
  /// The score of a design whose evaluation gave `e`.
  [[nodiscard]] Score with_accuracy(const model::Design& design, const eval::EvalReport& e) const;

  const eval::Evaluator& evaluator_;
  const cost::CostModel& cost_;
};

}  // namespace vitdse::search

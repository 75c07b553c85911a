// Scoring a design point: accuracy from the evaluator, energy/area/latency from the cost model.
#include "vitdse/search/scorer.hpp"

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/hash.hpp"

namespace vitdse::search {

namespace {

std::string context_of(const eval::Evaluator& evaluator, const cost::CostModel& cost) {
  return sha256_hex(fmt::format("scorer-1\n{}\n{} {}\n{} {} {}\n{}", evaluator.fingerprint(), cost.arch().name,
                                cost.arch().fingerprint, cost.tech().table().name, cost.tech().table().fingerprint,
                                cost.tech().node_nm(), cost::kCostModelVersion));
}

}  // namespace

Scorer::Scorer(const model::Workload& workload, const eval::Evaluator& evaluator, const cost::CostModel& cost)
    : Scoring(workload, context_of(evaluator, cost)), evaluator_(evaluator), cost_(cost) {}

Score Scorer::cost_score(const model::Design& design) const {
  const cost::CostReport c = cost_.evaluate(design);
  Score s;
  s.energy_uJ = c.energy.total_uJ();
  s.area_mm2 = c.area.total_mm2();
  s.latency_ms = c.latency_ms;
  s.power_mW = c.chip_power_mW;
  s.mult_power = c.mult_power;
  return s;
}

Score Scorer::with_accuracy(const model::Design& design, const eval::EvalReport& e) const {
  Score s = cost_score(design);
  s.top1_pct = e.top1_pct;
  s.agreement_pct = e.agreement_pct;
  s.kl_mean = e.kl_mean;
  s.snr_db = e.snr_db;
  s.eval_s = e.seconds;
  return s;
}

Score Scorer::score(const model::Design& design) const {
  return with_accuracy(design, evaluator_.evaluate(design, workload()));
}

PartialScore Scorer::score_part(const model::Design& design, int first, int last) const {
  eval::ChunkLogits logits = evaluator_.chunk_logits(design, workload(), first, last);
  return {std::move(logits.values), logits.seconds, logits.setup_seconds};
}

Score Scorer::combine(const model::Design& design, std::span<const PartialScore> parts) const {
  std::vector<float> logits;
  double seconds = 0;
  for (const auto& p : parts) {
    logits.insert(logits.end(), p.logits.begin(), p.logits.end());
    seconds += p.seconds;
  }
  eval::EvalReport e = evaluator_.report(logits);
  e.seconds = seconds;
  return with_accuracy(design, e);
}

}  // namespace vitdse::search

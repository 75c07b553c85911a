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

Score Scorer::score(const model::Design& design) const {
  const eval::EvalReport e = evaluator_.evaluate(design, workload());
  Score s = cost_score(design);
  s.top1_pct = e.top1_pct;
  s.agreement_pct = e.agreement_pct;
  s.kl_mean = e.kl_mean;
  s.snr_db = e.snr_db;
  s.eval_s = e.seconds;
  return s;
}

}  // namespace vitdse::search

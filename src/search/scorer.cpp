// Scoring a design point: accuracy from the evaluator, energy/area/latency from the cost model.
#include "vitdse/search/scorer.hpp"

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/hash.hpp"

namespace vitdse::search {

Scorer::Scorer(const model::Workload& workload, const eval::Evaluator& evaluator, const cost::CostModel& cost)
    : workload_(workload), evaluator_(evaluator), cost_(cost) {
  context_ = sha256_hex(fmt::format("scorer-1\n{}\n{} {}\n{} {} {}\n{}", evaluator.fingerprint(), cost.arch().name,
                                    cost.arch().fingerprint, cost.tech().table().name, cost.tech().table().fingerprint,
                                    cost.tech().node_nm(), cost::kCostModelVersion));
}

Score Scorer::cost_score(const model::Design& design) const {
  const cost::CostReport c = cost_.evaluate(design);
  Score s;
  s.energy_uJ = c.energy.total_uJ();
  s.area_mm2 = c.area.total_mm2();
  s.latency_ms = c.latency_ms;
  s.power_mW = c.chip_power_mW;
  return s;
}

Score Scorer::score(const model::Design& design) const {
  const eval::EvalReport e = evaluator_.evaluate(design, workload_);
  Score s = cost_score(design);
  s.top1_pct = e.top1_pct;
  s.agreement_pct = e.agreement_pct;
  s.kl_mean = e.kl_mean;
  s.eval_s = e.seconds;
  return s;
}

Candidate Scorer::candidate(model::Design design) const {
  Candidate c;
  c.canonical = model::canonical_json(design, workload_);
  c.hash = short_hash(c.canonical);  // what model::design_hash computes, without a second canonicalisation
  c.design = std::move(design);
  return c;
}

std::string cache_key(const std::string& context, const std::string& canonical) {
  return sha256_hex(context + '\n' + canonical);
}

std::string Scorer::key(const Candidate& candidate) const { return cache_key(context_, candidate.canonical); }

}  // namespace vitdse::search

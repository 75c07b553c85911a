// What every scorer shares: candidates and their cache keys, and no parts unless it has them.
#include "vitdse/search/scoring.hpp"

#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"

namespace vitdse::search {

std::string cache_key(const std::string& context, const std::string& canonical) {
  return sha256_hex(context + '\n' + canonical);
}

Candidate Scoring::candidate(model::Design design) const {
  Candidate c;
  c.canonical = model::canonical_json(design, workload_);
  c.hash = short_hash(c.canonical);  // what model::design_hash computes, without a second canonicalisation
  c.design = std::move(design);
  return c;
}

PartialScore Scoring::score_part(const model::Design& /*design*/, int /*first*/, int /*last*/) const {
  throw Error("this scorer's scores cannot be split into parts");
}

Score Scoring::combine(const model::Design& /*design*/, std::span<const PartialScore> /*parts*/) const {
  throw Error("this scorer's scores cannot be split into parts");
}

}  // namespace vitdse::search

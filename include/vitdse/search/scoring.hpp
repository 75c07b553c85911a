// What a search needs of the thing that scores designs, and nothing of how it scores them: the
// search layer never sees the evaluator's engine or the cost model's tables.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"
#include "vitdse/search/score.hpp"

namespace vitdse::search {

/// The cache key of a design (canonical JSON) scored in a context (Scoring::context()).
std::string cache_key(const std::string& context, const std::string& canonical);

/// Part of a design's score: the model's outputs on some of the images, to be combined with the
/// other parts' (see Scoring::score_part).
struct PartialScore {
  std::vector<float> logits;  ///< [images x classes], row-major
  double seconds = 0;         ///< wall time
  double setup_seconds = 0;   ///< of which building the design's datapath
};

/// Scores designs of one workload; thread-safe. Candidates and their cache keys are the same for
/// every implementation; what a score is (a real model on images and a cost model, or a test's
/// synthetic function) is the implementation's.
class Scoring {
 public:
  virtual ~Scoring() = default;
  Scoring(const Scoring&) = delete;
  Scoring& operator=(const Scoring&) = delete;

  /// Every figure of a design's score.
  [[nodiscard]] virtual Score score(const model::Design& design) const = 0;
  /// The cost figures only (accuracy fields zero): cheap, for guiding a search.
  [[nodiscard]] virtual Score cost_score(const model::Design& design) const = 0;
  /// The top-1 (%) of the unmodified model on the same images: what accuracy drops are measured from.
  [[nodiscard]] virtual double float_top1_pct() const = 0;
  /// How many test images a score covers.
  [[nodiscard]] virtual std::size_t images() const = 0;

  /// How many parts a design's score can be split into, by images (0: it cannot be split). Parts
  /// computed anywhere, in any order, combine to the bits of score().
  [[nodiscard]] virtual int parts() const { return 0; }
  /// Parts [first, last) of `design`'s score.
  [[nodiscard]] virtual PartialScore score_part(const model::Design& design, int first, int last) const;
  /// The score from parts that cover [0, parts()), in order, as score() gives it.
  [[nodiscard]] virtual Score combine(const model::Design& design, std::span<const PartialScore> parts) const;

  /// Builds a candidate (canonical JSON and hash) for a design of this workload.
  [[nodiscard]] Candidate candidate(model::Design design) const;
  /// Fingerprint (64 hex digits) of everything besides the design that a score depends on.
  [[nodiscard]] const std::string& context() const { return context_; }
  /// The cache key of a candidate under this context.
  [[nodiscard]] std::string key(const Candidate& candidate) const { return cache_key(context_, candidate.canonical); }
  [[nodiscard]] const model::Workload& workload() const { return workload_; }

 protected:
  /// `workload` must outlive the scorer.
  Scoring(const model::Workload& workload, std::string context) : workload_(workload), context_(std::move(context)) {}

 private:
  const model::Workload& workload_;
  std::string context_;
};

}  // namespace vitdse::search

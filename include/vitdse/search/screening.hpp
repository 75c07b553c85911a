// Multi-fidelity scoring: a cheap first look at each candidate on a prefix of the evaluation
// slice, and full scoring only for the candidates that could still reach the front.
#pragma once

#include <cstddef>

#include "vitdse/search/score.hpp"
#include "vitdse/search/scoring.hpp"

namespace vitdse::search {

/// The screening stage of a run: scores on the first `scoring.images()` images of the full slice
/// (a uniform sample of it, since the evaluation slice is itself drawn in random order). Its
/// scores have their own cache keys, since the screening scoring has its own context.
struct Screening {
  BatchEvaluator& evaluator;  ///< scores on the screening images
  const Scoring& scoring;     ///< the screening images' scoring (its keys and image count)
  /// Two-sided confidence of the interval whose upper end decides promotion.
  double confidence = 0.95;
};

/// Wilson's score interval for a binomial proportion (Wilson, 1927): the upper end, for
/// `successes` of `trials` at two-sided `confidence`. Exact at the ends (0 of n has a non-zero
/// upper end), unlike the normal approximation.
double wilson_upper(double successes, std::size_t trials, double confidence);

/// The highest top-1 (%) the full slice of `full_images` can plausibly reach, given top-1
/// `screen_top1_pct` on its first `screen_images`: the screened images count as they scored,
/// the rest at the upper end of the interval of the screen's proportion.
double optimistic_top1_pct(double screen_top1_pct, std::size_t screen_images, std::size_t full_images,
                           double confidence);

}  // namespace vitdse::search

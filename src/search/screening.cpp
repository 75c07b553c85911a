// The interval that decides whether a screened candidate is scored in full.
#include "vitdse/search/screening.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>

#include "vitdse/core/error.hpp"

namespace vitdse::search {

double wilson_upper(double successes, std::size_t trials, double confidence) {
  if (trials == 0) return 1.0;
  if (!(confidence > 0 && confidence < 1)) throw Error("a confidence must lie strictly between 0 and 1");
  const double z = boost::math::quantile(boost::math::normal(), 0.5 + confidence / 2);
  const double n = static_cast<double>(trials);
  const double p = std::clamp(successes / n, 0.0, 1.0);
  const double z2n = z * z / n;
  const double centre = p + z2n / 2;
  const double half = z * std::sqrt(p * (1 - p) / n + z2n / (4 * n));
  return std::min(1.0, (centre + half) / (1 + z2n));
}

double optimistic_top1_pct(double screen_top1_pct, std::size_t screen_images, std::size_t full_images,
                           double confidence) {
  if (screen_images >= full_images) return screen_top1_pct;
  const double n = static_cast<double>(screen_images);
  const double correct = std::round(screen_top1_pct / 100 * n);
  const double rest = static_cast<double>(full_images - screen_images);
  return 100 * (correct + rest * wilson_upper(correct, screen_images, confidence)) / static_cast<double>(full_images);
}

}  // namespace vitdse::search

// Cross-entropy with label smoothing, from max-subtracted log-softmax.
#include "vitdse/train/loss.hpp"

#include <cmath>

#include "vitdse/core/error.hpp"

namespace vitdse::train {

double cross_entropy(const FloatMatrix& logits, std::span<const int> labels, double smoothing, double scale,
                     FloatMatrix& dlogits, int* correct) {
  if (static_cast<Eigen::Index>(labels.size()) != logits.rows()) {
    throw Error("cross_entropy: " + std::to_string(labels.size()) + " labels for " + std::to_string(logits.rows()) +
                " rows of logits");
  }
  const Eigen::Index classes = logits.cols();
  const double off = smoothing / static_cast<double>(classes), on = 1.0 - smoothing + off;
  dlogits.resize(logits.rows(), classes);
  double total = 0.0;
  for (Eigen::Index r = 0; r < logits.rows(); ++r) {
    const int label = labels[static_cast<std::size_t>(r)];
    if (label < 0 || label >= classes) {
      throw Error("cross_entropy: label " + std::to_string(label) + " outside [0, " + std::to_string(classes) + ")");
    }
    Eigen::Index top = 0;
    const double max = logits.row(r).maxCoeff(&top);
    if (correct != nullptr && top == label) ++*correct;
    double sum = 0.0;
    for (Eigen::Index c = 0; c < classes; ++c) sum += std::exp(static_cast<double>(logits(r, c)) - max);
    const double log_sum = std::log(sum) + max;
    for (Eigen::Index c = 0; c < classes; ++c) {
      const double target = c == label ? on : off;
      const double log_p = static_cast<double>(logits(r, c)) - log_sum;
      total -= target * log_p;
      dlogits(r, c) = static_cast<float>(scale * (std::exp(log_p) - target));
    }
  }
  return total;
}

}  // namespace vitdse::train

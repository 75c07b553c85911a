// The training loss: cross-entropy with label smoothing.
#pragma once

#include <span>

#include "vitdse/core/eigen.hpp"

namespace vitdse::train {

/// Cross-entropy of each row of `logits` against its label, with the target
/// (1 - smoothing)·onehot + smoothing / classes (as torch.nn.CrossEntropyLoss's
/// label_smoothing). Returns the sum over rows, computed in double; `dlogits` gets
/// scale · (softmax(logits) - target), so scale = 1 / batch gives the mean's gradient.
/// `correct`, unless null, is incremented by the rows whose largest logit is their label.
double cross_entropy(const FloatMatrix& logits, std::span<const int> labels, double smoothing, double scale,
                     FloatMatrix& dlogits, int* correct = nullptr);

}  // namespace vitdse::train

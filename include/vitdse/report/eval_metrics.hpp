// Flattening an evaluation into named metrics.
#pragma once

#include <vector>

#include "vitdse/eval/evaluator.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::report {

/// The design's scores, then the float model's accuracy and the drop from it.
std::vector<Metric> eval_metrics(const eval::EvalReport& design, const eval::EvalReport& float_model);

}  // namespace vitdse::report

// The stochastic-computing softmax baseline: Bernstein exponentials, MUX sum, CORDIV division.
#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "vitdse/arith/sc_accumulate.hpp"
#include "vitdse/arith/sc_softmax.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

ScSoftmax::ScSoftmax(int length)
    : SoftmaxUnit("softmax:sc:L=" + std::to_string(length)),
      length_(length),
      exp_(fit_bernstein([](double t) { return std::exp(-kRange * t); }, kDegree), length) {
  for (int v = 0; v <= (1 << BernsteinCircuit::kBits); ++v) streams_.push_back(exp_.stream(v));
}

int ScSoftmax::input_level(double gap) {
  const double t = std::clamp(gap, 0.0, kRange) / kRange;
  return static_cast<int>(std::lround(t * (1 << BernsteinCircuit::kBits)));
}

LfsrGenerator sc_softmax_select(int elements) {
  if (elements < 2 || elements > ScSoftmax::kMaxRow) {
    throw Error("softmax:sc select generator for " + std::to_string(elements) + " elements; allowed 2..256");
  }
  return decorrelated_lfsr(std::bit_width(static_cast<unsigned>(elements - 1)), 3, false);
}

void ScSoftmax::apply(std::span<const double> x, std::span<double> y) const {
  const auto n = static_cast<int>(x.size());
  if (n < 1 || n > kMaxRow) {
    throw Error("softmax:sc normalises rows of 1..256 elements (an 8-bit select generator); got " + std::to_string(n));
  }
  if (n == 1) {
    y[0] = 1.0;
    return;
  }
  const double max = *std::max_element(x.begin(), x.end());
  std::vector<const Bitstream*> e(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) e[i] = &exp_stream(input_level(max - x[i]));
  const auto select = sc_softmax_select(n).sequence(length_);
  // Every CORDIV flop follows the same event: when S_t = 1, the selected element's flop sets
  // and the others clear, so one index (the holder) says which flop is 1.
  std::vector<int> ones(x.size(), 0);
  int holder = -1;
  for (int t = 0; t < length_; ++t) {
    const auto s = static_cast<int>(select[static_cast<std::size_t>(t)]);
    if (s < n && e[static_cast<std::size_t>(s)]->test(t)) holder = s;
    if (holder >= 0) ++ones[static_cast<std::size_t>(holder)];
  }
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = static_cast<double>(ones[i]) / length_;
}

Hardware ScSoftmax::element_hardware() const {
  Hardware h = exp_.lane_hardware();
  const double depth = h.depth;
  h.fa += 16;
  h.mux2 += 2;
  h.and2 += 2;
  h.dff += 1;
  h += output_counter_hardware(length_);
  h.depth = 8 + depth + 0.5 * 8 + 0.5 + output_counter_hardware(length_).depth;
  return h;
}

Hardware ScSoftmax::row_hardware() const {
  return sc_softmax_select(kMaxRow).hardware();  // runs alongside the element lanes
}

std::vector<NonlinearFamily> softmax_sc_families() {
  return {
      {"softmax",
       "sc",
       "SC baseline: Bernstein exp streams, a MUX sum and a CORDIV divider per element",
       {{"L", "2..4096 (default 64)", "stream length in cycles"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<ScSoftmax>(int_param(spec, "L", kScMinLength, kScMaxLength, 64));
       }},
  };
}

}  // namespace vitdse::arith

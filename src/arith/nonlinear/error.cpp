// Reference inputs and error statistics for nonlinear units.
#include <cmath>
#include <random>

#include "vitdse/arith/nonlinear_error.hpp"

namespace vitdse::arith {

namespace {

struct Tally {
  double sum = 0, max = 0;
  std::size_t count = 0;
  void add(double approx, double exact) {
    const double e = std::abs(approx - exact);
    sum += e;
    max = std::max(max, e);
    ++count;
  }
  [[nodiscard]] NonlinearError result() const { return {sum / static_cast<double>(count), max}; }
};

template <class Unit, class Exact>
NonlinearError row_error(const Unit& unit, const Exact& exact, std::size_t rows, std::size_t width, std::uint64_t seed,
                         double mean, double sd, double outlier) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(mean, sd);
  Tally tally;
  std::vector<double> x(width), got(width), want(width);
  for (std::size_t r = 0; r < rows; ++r) {
    for (double& v : x) v = normal(rng);
    if (outlier != 0) x[rng() % width] = outlier;
    unit.apply(x, got);
    exact.apply(x, want);
    for (std::size_t i = 0; i < width; ++i) tally.add(got[i], want[i]);
  }
  return tally.result();
}

/// Adapts LayerNorm's extra eps argument to the row interface.
struct WithEps {
  const LayerNormUnit& unit;
  void apply(std::span<const double> x, std::span<double> y) const { unit.apply(x, y, 1e-6); }
};

}  // namespace

NonlinearError gelu_error(const GeluUnit& unit) {
  const auto exact = make_gelu("gelu:exact");
  Tally tally;
  for (int i = 0; i <= 8000; ++i) {
    const double x = -4.0 + i * 0.001;
    tally.add(unit.apply(x), exact->apply(x));
  }
  return tally.result();
}

NonlinearError softmax_error(const SoftmaxUnit& unit) {
  const auto exact = make_softmax("softmax:exact");
  return row_error(unit, *exact, 256, 64, 1, 0.0, 2.0, 0.0);
}

NonlinearError layernorm_error(const LayerNormUnit& unit) {
  const auto exact = make_layernorm("layernorm:exact");
  return row_error(WithEps{unit}, WithEps{*exact}, 256, 192, 2, 0.5, 1.5, 20.0);
}

}  // namespace vitdse::arith

// Exhaustive (or, for wide units, sampled) error metrics and dense product tables.
#include "vitdse/arith/metrics.hpp"

#include <cmath>
#include <random>

#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

/// Accumulates error statistics pair by pair.
struct Accumulator {
  double sum_abs = 0, sum = 0, sum_sq = 0, sum_rel = 0, max_abs = 0;
  std::uint64_t pairs = 0, nonzero = 0, wrong = 0;

  void add(std::int64_t approx, std::int64_t exact) {
    const auto err = static_cast<double>(approx - exact);
    const double abs_err = std::abs(err);
    sum_abs += abs_err;
    sum += err;
    sum_sq += err * err;
    max_abs = std::max(max_abs, abs_err);
    if (exact != 0) {
      sum_rel += abs_err / std::abs(static_cast<double>(exact));
      ++nonzero;
    }
    if (approx != exact) ++wrong;
    ++pairs;
  }

  [[nodiscard]] ErrorMetrics finish(int bits, bool exhaustive) const {
    const double range = std::ldexp(1.0, 2 * bits), n = static_cast<double>(pairs);
    ErrorMetrics m;
    m.mae_pct = sum_abs / n / range * 100;
    m.wce_pct = max_abs / range * 100;
    m.mre_pct = nonzero > 0 ? sum_rel / static_cast<double>(nonzero) * 100 : 0;
    m.ep_pct = static_cast<double>(wrong) / n * 100;
    m.bias_pct = sum / n / range * 100;
    m.mse = sum_sq / n;
    m.pairs = pairs;
    m.exhaustive = exhaustive;
    return m;
  }
};

}  // namespace

ErrorMetrics error_metrics(const Multiplier& m) {
  Accumulator acc;
  const std::int64_t lo = m.min_operand(), hi = m.max_operand();
  if (m.bits() <= 8) {
    // One table build, then a pass over it: the table is the unit's function.
    const auto table = build_lut(m);
    const auto side = static_cast<std::size_t>(1) << m.bits();
    const std::uint64_t mask = side - 1;
    for (std::int64_t a = lo; a <= hi; ++a) {
      const auto row = (static_cast<std::uint64_t>(a) & mask) * side;
      for (std::int64_t b = lo; b <= hi; ++b) acc.add(table[row + (static_cast<std::uint64_t>(b) & mask)], a * b);
    }
    return acc.finish(m.bits(), true);
  }
  if (m.bits() <= 12) {
    for (std::int64_t a = lo; a <= hi; ++a) {
      for (std::int64_t b = lo; b <= hi; ++b) acc.add(m.mul(a, b), a * b);
    }
    return acc.finish(m.bits(), true);
  }
  std::mt19937_64 rng(0x5EEDu);
  std::uniform_int_distribution<std::int64_t> operand(lo, hi);
  for (int s = 0; s < (1 << 24); ++s) {
    const std::int64_t a = operand(rng), b = operand(rng);
    acc.add(m.mul(a, b), a * b);
  }
  return acc.finish(m.bits(), false);
}

std::vector<std::int32_t> build_lut(const Multiplier& m) {
  if (m.bits() > 8) {
    throw Error("unit '" + m.spec() + "' is " + std::to_string(m.bits()) +
                " bits wide; dense lookup tables exist for widths up to 8 bits");
  }
  const auto side = static_cast<std::size_t>(1) << m.bits();
  std::vector<std::int32_t> table(side * side);
  const std::uint64_t mask = side - 1;
  for (std::int64_t a = m.min_operand(); a <= m.max_operand(); ++a) {
    const auto row = (static_cast<std::uint64_t>(a) & mask) * side;
    for (std::int64_t b = m.min_operand(); b <= m.max_operand(); ++b) {
      table[row + (static_cast<std::uint64_t>(b) & mask)] = static_cast<std::int32_t>(m.mul(a, b));
    }
  }
  return table;
}

}  // namespace vitdse::arith

// Bernstein-polynomial SC functions: bounded least-squares fit, generators and simulation.
#include "vitdse/arith/sc_bernstein.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "vitdse/arith/sc_accumulate.hpp"
#include "vitdse/arith/sc_encoding.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

double binomial(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

}  // namespace

double bernstein_value(std::span<const double> b, double t) {
  const int d = static_cast<int>(b.size()) - 1;
  double sum = 0;
  for (int i = 0; i <= d; ++i)
    sum += b[static_cast<std::size_t>(i)] * binomial(d, i) * std::pow(t, i) * std::pow(1 - t, d - i);
  return sum;
}

std::vector<double> fit_bernstein(const std::function<double(double)>& f, int degree) {
  if (degree < 1 || degree > 16) throw Error("Bernstein degree " + std::to_string(degree) + "; allowed 1..16");
  constexpr int kPoints = 2001;
  const auto n = static_cast<std::size_t>(degree) + 1;
  std::vector<std::vector<double>> basis(kPoints, std::vector<double>(n));
  std::vector<double> target(kPoints);
  for (int g = 0; g < kPoints; ++g) {
    const double t = static_cast<double>(g) / (kPoints - 1);
    target[static_cast<std::size_t>(g)] = f(t);
    for (std::size_t i = 0; i < n; ++i) {
      const int k = static_cast<int>(i);
      basis[static_cast<std::size_t>(g)][i] = binomial(degree, k) * std::pow(t, k) * std::pow(1 - t, degree - k);
    }
  }
  // Normal equations G·b = r, solved under 0 <= b <= 1 by projected cyclic coordinate descent,
  // which converges to the minimum of this convex problem.
  std::vector<std::vector<double>> gram(n, std::vector<double>(n, 0.0));
  std::vector<double> rhs(n, 0.0);
  for (int g = 0; g < kPoints; ++g) {
    const auto& row = basis[static_cast<std::size_t>(g)];
    for (std::size_t i = 0; i < n; ++i) {
      rhs[i] += row[i] * target[static_cast<std::size_t>(g)];
      for (std::size_t j = 0; j < n; ++j) gram[i][j] += row[i] * row[j];
    }
  }
  std::vector<double> b(n, 0.5);
  for (int sweep = 0; sweep < 200000; ++sweep) {
    double change = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double s = rhs[i];
      for (std::size_t j = 0; j < n; ++j) {
        if (j != i) s -= gram[i][j] * b[j];
      }
      const double next = std::clamp(s / gram[i][i], 0.0, 1.0);
      change = std::max(change, std::abs(next - b[i]));
      b[i] = next;
    }
    if (change < 1e-13) break;
  }
  return b;
}

std::vector<LfsrGenerator> bernstein_generators(int degree) {
  const LfsrGenerator base = decorrelated_lfsr(BernsteinCircuit::kBits, 1, true);
  const std::uint32_t period = (std::uint32_t{1} << base.width()) - 1;
  const std::uint32_t spacing = period / static_cast<std::uint32_t>(degree + 1);
  std::vector<LfsrGenerator> out;
  std::uint32_t state = 1;
  for (int i = 0; i <= degree; ++i) {
    out.emplace_back(base.width(), base.polynomial(), state, base.steps_per_clock(), BernsteinCircuit::kBits);
    for (std::uint32_t s = 0; s < spacing; ++s) state = base.step(state);
  }
  return out;
}

BernsteinCircuit::BernsteinCircuit(std::vector<double> coefficients, int length)
    : coefficients_(std::move(coefficients)), length_(length) {
  if (coefficients_.size() < 2 || coefficients_.size() > 17) {
    throw Error("SC Bernstein circuit with " + std::to_string(coefficients_.size()) +
                " coefficients; allowed 2..17 (degree 1..16)");
  }
  Bitstream check(length);  // validates the length
  for (const double b : coefficients_) {
    if (!(b >= 0 && b <= 1)) throw Error("SC Bernstein coefficient " + std::to_string(b) + " is outside [0, 1]");
    thresholds_.push_back(static_cast<std::uint32_t>(std::lround(b * (1 << kBits))));
  }
  for (const auto& g : bernstein_generators(degree())) randoms_.push_back(g.sequence(length));
}

Bitstream BernsteinCircuit::stream(int level) const {
  if (level < 0 || level > (1 << kBits)) {
    throw Error("SC Bernstein input level " + std::to_string(level) + "; allowed 0..256");
  }
  const auto d = static_cast<std::size_t>(degree());
  const auto v = static_cast<std::uint32_t>(level);
  Bitstream out(length_);
  for (int t = 0; t < length_; ++t) {
    const auto ti = static_cast<std::size_t>(t);
    std::size_t k = 0;
    for (std::size_t i = 0; i < d; ++i) k += randoms_[i][ti] < v ? 1 : 0;
    out.set(t, randoms_[d][ti] < thresholds_[k]);
  }
  return out;
}

Hardware BernsteinCircuit::lane_hardware() const {
  const int d = degree();
  Hardware shared;
  const auto generators = bernstein_generators(d);
  for (const auto& g : generators) shared += g.hardware();
  for (int i = 0; i <= d; ++i) shared += comparator_hardware(kBits);
  Hardware h = register_hardware(kBits);
  for (int i = 0; i < d; ++i) h += comparator_hardware(kBits);
  const Hardware counter = apc_hardware(d);
  const Hardware select = mux_adder_hardware(d + 1);
  h += counter;
  h += select;
  h += lane_share(shared, kScLanesPerGenerator);
  h.depth = generators.front().hardware().depth + comparator_hardware(kBits).depth + counter.depth + select.depth;
  h.cycles = length_;
  return h;
}

}  // namespace vitdse::arith

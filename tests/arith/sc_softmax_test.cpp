// SC softmax against a naive cycle-by-cycle re-implementation; the ReLU linear normaliser.
#include "vitdse/arith/sc_softmax.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "vitdse/arith/nonlinear_error.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

/// The documented circuit, one flop per element: Bernstein exp streams (degree 6, fitted to
/// exp(-8t)), an N-input MUX with the k-bit select LFSR, CORDIV per element, output counters.
std::vector<double> naive_sc_softmax(const std::vector<double>& x, int length) {
  const auto n = x.size();
  const auto b = fit_bernstein([](double t) { return std::exp(-8 * t); }, 6);
  std::vector<std::vector<std::uint32_t>> r;
  for (const auto& g : bernstein_generators(6)) r.push_back(g.sequence(length));
  const int k = static_cast<int>(std::ceil(std::log2(static_cast<double>(n))));
  const auto select = decorrelated_lfsr(k, 3, false).sequence(length);
  const double max = *std::max_element(x.begin(), x.end());
  std::vector<std::uint32_t> level(n);
  for (std::size_t i = 0; i < n; ++i) {
    level[i] = static_cast<std::uint32_t>(std::lround(std::min(max - x[i], 8.0) / 8 * 256));
  }
  std::vector<bool> q(n, false);
  std::vector<int> ones(n, 0);
  for (int t = 0; t < length; ++t) {
    const auto ti = static_cast<std::size_t>(t);
    std::vector<bool> e(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t count = 0;
      for (std::size_t s = 0; s < 6; ++s) count += r[s][ti] < level[i] ? 1 : 0;
      e[i] = r[6][ti] < static_cast<std::uint32_t>(std::lround(256 * b[count]));
    }
    const std::size_t s = select[ti];
    const bool sum_bit = s < n && e[s];
    for (std::size_t i = 0; i < n; ++i) {
      if (sum_bit) q[i] = (s == i);  // CORDIV: follow the numerator where the denominator is 1
      ones[i] += q[i] ? 1 : 0;
    }
  }
  std::vector<double> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<double>(ones[i]) / length;
  return p;
}

}  // namespace

TEST(ScSoftmax, MatchesNaiveCycleByCycleCircuit) {
  std::mt19937 rng(4);
  std::normal_distribution<double> logit(0, 2);
  for (const std::size_t n : {2U, 5U, 64U, 197U}) {
    for (const int length : {16, 256}) {
      std::vector<double> x(n), y(n);
      for (double& v : x) v = logit(rng);
      ScSoftmax(length).apply(x, y);
      EXPECT_EQ(y, naive_sc_softmax(x, length)) << n << " " << length;
    }
  }
}

TEST(ScSoftmax, OutputsAreProbabilitiesAndImproveWithLength) {
  const std::vector<double> x{1.0, -2.0, 0.5, 3.0, -0.25, 0.0, 2.0, -5.0};
  std::vector<double> y(x.size());
  ScSoftmax(1024).apply(x, y);
  const double sum = std::accumulate(y.begin(), y.end(), 0.0);
  EXPECT_LE(sum, 1.0);  // cycles before the first sum event belong to no element
  EXPECT_GT(sum, 0.95);
  for (const double p : y) EXPECT_GE(p, 0);
  EXPECT_EQ(std::max_element(y.begin(), y.end()) - y.begin(), 3);
  EXPECT_GT(softmax_error(ScSoftmax(64)).mae, softmax_error(ScSoftmax(1024)).mae);
  EXPECT_GT(softmax_error(ScSoftmax(1024)).mae, softmax_error(ScSoftmax(4096)).mae);
  std::vector<double> one(1);
  ScSoftmax(16).apply(std::vector<double>{3.0}, one);
  EXPECT_EQ(one[0], 1.0);
  std::vector<double> long_row(257, 0.0), out(257);
  EXPECT_THROW(ScSoftmax(16).apply(long_row, out), Error);
  EXPECT_EQ(ScSoftmax(64).element_hardware().cycles, 64);
  EXPECT_EQ(make_softmax("softmax:sc")->spec(), "softmax:sc:L=64");
  EXPECT_THROW((void)make_softmax("softmax:sc:L=1"), Error);
}

TEST(LinearReluSoftmax, NormalisesThePositiveScores) {
  const auto unit = make_softmax("softmax:linear-relu");
  std::vector<double> y(4);
  unit->apply(std::vector<double>{1.0, -2.0, 3.0, 0.0}, y);
  EXPECT_EQ(y, (std::vector<double>{0.25, 0.0, 0.75, 0.0}));
  unit->apply(std::vector<double>{-1.0, -2.0, -3.0, 0.0}, y);
  EXPECT_EQ(y, (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
}

}  // namespace vitdse::arith

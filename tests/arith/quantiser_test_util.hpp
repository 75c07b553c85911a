// Helpers shared by the quantiser tests: seeded sample data and one-line error checks.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "vitdse/arith/quantiser.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith::test {

/// n Laplace(0, b) samples: heavy enough tails that clipping pays off.
inline std::vector<float> laplace(std::size_t n, double b, unsigned seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<double> magnitude(1 / b);
  std::bernoulli_distribution negative(0.5);
  std::vector<float> x(n);
  for (auto& v : x) v = static_cast<float>(negative(rng) ? -magnitude(rng) : magnitude(rng));
  return x;
}

/// n Student-t samples with `dof` degrees of freedom.
inline std::vector<float> student_t(std::size_t n, double dof, unsigned seed) {
  std::mt19937 rng(seed);
  std::student_t_distribution<double> t(dof);
  std::vector<float> x(n);
  for (auto& v : x) v = static_cast<float>(t(rng));
  return x;
}

/// n N(mean, sd) samples.
inline std::vector<float> normal(std::size_t n, double mean, double sd, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d(mean, sd);
  std::vector<float> x(n);
  for (auto& v : x) v = static_cast<float>(d(rng));
  return x;
}

/// A rows x cols matrix of N(0, 1) samples.
inline FloatMatrix normal_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  const auto v = normal(static_cast<std::size_t>(rows * cols), 0, 1, seed);
  FloatMatrix m(rows, cols);
  std::copy(v.begin(), v.end(), m.data());
  return m;
}

/// Expects `f` to throw vitdse::Error with a one-line message containing `part`.
template <class F>
void expect_error(F&& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no Error thrown; expected one mentioning '" << part << "'";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find(part), std::string::npos) << "'" << what << "' lacks '" << part << "'";
  }
}

}  // namespace vitdse::arith::test

// SC function blocks against naive definitions: sorter + selective interconnect, Stanh, Bernstein.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "vitdse/arith/sc_bernstein.hpp"
#include "vitdse/arith/sc_fsm.hpp"
#include "vitdse/arith/sc_selective.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

/// A random staircase over 0..inputs that falls to a valley and rises again, values in 0..top.
std::vector<int> random_valley(int inputs, int top, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, top);
  std::vector<int> fall(static_cast<std::size_t>(inputs) + 1), rise(fall.size());
  const int valley = std::uniform_int_distribution<int>(0, inputs)(rng);
  for (auto& v : fall) v = pick(rng);
  std::sort(fall.begin(), fall.end(), std::greater<>());
  for (auto& v : rise) v = pick(rng);
  std::sort(rise.begin(), rise.end());
  std::vector<int> out(fall.size());
  for (std::size_t c = 0; c < out.size(); ++c) out[c] = static_cast<int>(c) <= valley ? fall[c] : rise[c];
  // Keep one valley: the rising part starts at or above the valley's value.
  for (std::size_t c = static_cast<std::size_t>(valley) + 1; c < out.size(); ++c) {
    out[c] = std::max(out[c], out[static_cast<std::size_t>(valley)]);
  }
  return out;
}

}  // namespace

TEST(ScSelective, HeaderExample) {
  const auto si = SelectiveInterconnect::fit(8, 4, [](int c) { return c >= 4 ? c - 4 : 4 - c; });
  EXPECT_EQ(si.output_count(0), 4);
  EXPECT_EQ(si.output_count(4), 0);
  EXPECT_EQ(si.output_count(8), 4);
  EXPECT_EQ(si.gated_wires(), 4);  // every wire is 1 on both sides of the valley
}

TEST(ScSelective, SimulationMatchesNaiveSortAndSelect) {
  // Naive circuit: sort the input wires with std::sort (what a sorting network computes), then
  // evaluate each selected wire from the sorted wires as documented.
  std::mt19937 rng(7);
  for (const int m : {2, 8, 64, 256}) {
    const int outputs = m / 2 + 3;
    const auto staircase = random_valley(m, outputs, rng);
    const auto si =
        SelectiveInterconnect::fit(m, outputs, [&](int c) { return staircase[static_cast<std::size_t>(c)]; });
    for (int c = 0; c <= m; ++c) {
      std::vector<bool> wires(static_cast<std::size_t>(m), false);
      std::fill(wires.begin(), wires.begin() + c, true);
      std::shuffle(wires.begin(), wires.end(), rng);
      std::vector<bool> sorted = wires;
      std::sort(sorted.begin(), sorted.end(), std::greater<>());
      const auto s = [&](int i) {
        return i < 0 ? true : i >= m ? false : static_cast<bool>(sorted[static_cast<std::size_t>(i)]);
      };
      int naive = 0;
      for (const auto& w : si.wires()) naive += ((w.gated() && !s(w.fall - 1)) || s(w.rise - 1)) ? 1 : 0;
      ASSERT_EQ(naive, staircase[static_cast<std::size_t>(c)]) << "m=" << m << " c=" << c;
      ASSERT_EQ(si.simulate(wires), naive) << "m=" << m << " c=" << c;
      ASSERT_EQ(si.output_count(c), naive) << "m=" << m << " c=" << c;
    }
  }
}

TEST(ScSelective, SorterCellsFollowTheBitonicFormula) {
  // A bitonic sorter over n = 2^k inputs has n·k(k+1)/4 compare-and-swap cells (2 gates each)
  // in k(k+1)/2 stages.
  for (int k = 1; k <= 10; ++k) {
    const int n = 1 << k;
    const auto plain = SelectiveInterconnect::fit(n, 1, [n](int c) { return c == n ? 1 : 0; });
    EXPECT_EQ(plain.gated_wires(), 0);
    EXPECT_DOUBLE_EQ(plain.hardware().and2, 2.0 * n * k * (k + 1) / 4) << n;
    EXPECT_DOUBLE_EQ(plain.hardware().depth, 0.5 * k * (k + 1) / 2) << n;
    const auto dip = SelectiveInterconnect::fit(n, 1, [](int c) { return c == 0 ? 0 : 1; });
    EXPECT_EQ(dip.gated_wires(), 0);  // 0 then 1: a plain wire
    const auto valley = SelectiveInterconnect::fit(n, 1, [n](int c) { return c == 0 || c == n ? 1 : 0; });
    EXPECT_EQ(valley.gated_wires(), 1);
    EXPECT_DOUBLE_EQ(valley.hardware().and2, 2.0 * n * k * (k + 1) / 4 + 1);
  }
}

TEST(ScSelective, RejectsWhatItCannotBuild) {
  EXPECT_THROW(SelectiveInterconnect::fit(8, 2, [](int c) { return c % 2; }), Error);  // two valleys
  EXPECT_THROW(SelectiveInterconnect::fit(12, 2, [](int) { return 0; }), Error);
  EXPECT_THROW(SelectiveInterconnect::fit(2048, 2, [](int) { return 0; }), Error);
  EXPECT_THROW(SelectiveInterconnect::fit(8, 2, [](int) { return 3; }), Error);
}

TEST(ScFsm, StanhMatchesTheCounterDefinition) {
  EXPECT_EQ(stanh_stream(Bitstream::from_string("11110000"), 4).to_string(), "11111100");
  std::mt19937 rng(3);
  for (const int states : {2, 8, 32}) {
    std::bernoulli_distribution bit(0.6);
    Bitstream in(300);
    for (int t = 0; t < in.length(); ++t) in.set(t, bit(rng));
    const Bitstream out = stanh_stream(in, states);
    int state = states / 2;
    for (int t = 0; t < in.length(); ++t) {
      ASSERT_EQ(out.test(t), state >= states / 2) << t;
      state = std::clamp(state + (in.test(t) ? 1 : -1), 0, states - 1);
    }
  }
  EXPECT_THROW((void)stanh_stream(Bitstream(8), 6), Error);
}

TEST(ScFsm, StanhApproachesItsSteadyState) {
  std::mt19937 rng(5);
  for (const double v : {-0.4, 0.1, 0.3}) {
    std::bernoulli_distribution bit((1 + v) / 2);
    Bitstream in(4096);
    for (int t = 0; t < in.length(); ++t) in.set(t, bit(rng));
    const double bipolar = 2 * stanh_stream(in, 8).value() - 1;
    EXPECT_NEAR(bipolar, stanh_steady_state(v, 8), 0.12) << v;
  }
  EXPECT_NEAR(stanh_steady_state(0.05, 8), std::tanh(4 * 0.05), 1e-3);  // tanh(Kv/2) for small v
  const Hardware h = stanh_hardware(8);
  EXPECT_EQ(h.dff, 3);
  EXPECT_EQ(h.fa, 3);
}

TEST(ScBernstein, FitIsExactForPolynomialsInRange) {
  const auto square = fit_bernstein([](double t) { return t * t; }, 2);
  EXPECT_NEAR(square[0], 0, 1e-9);
  EXPECT_NEAR(square[1], 0, 1e-9);
  EXPECT_NEAR(square[2], 1, 1e-9);
  const auto line = fit_bernstein([](double t) { return 0.25 + 0.5 * t; }, 3);
  for (int i = 0; i <= 3; ++i) EXPECT_NEAR(line[static_cast<std::size_t>(i)], 0.25 + 0.5 * i / 3, 1e-9);
  // Out of range: coefficients stay in [0, 1] and the fit is the clamped line's best.
  const auto steep = fit_bernstein([](double t) { return 1.5 * t - 0.25; }, 4);
  for (const double b : steep) {
    EXPECT_GE(b, 0);
    EXPECT_LE(b, 1);
  }
  EXPECT_NEAR(bernstein_value(steep, 0.5), 0.5, 0.02);
}

TEST(ScBernstein, CircuitMatchesNaiveSimulation) {
  const std::vector<double> b{0.1, 0.9, 0.3, 0.6, 0.0};
  const BernsteinCircuit circuit(b, 200);
  std::vector<std::vector<std::uint32_t>> r;
  for (const auto& g : bernstein_generators(4)) r.push_back(g.sequence(200));
  for (const int level : {0, 1, 77, 128, 255, 256}) {
    const Bitstream s = circuit.stream(level);
    for (int t = 0; t < 200; ++t) {
      int k = 0;
      for (int i = 0; i < 4; ++i)
        k += r[static_cast<std::size_t>(i)][static_cast<std::size_t>(t)] < static_cast<std::uint32_t>(level);
      const auto threshold = static_cast<std::uint32_t>(std::lround(256 * b[static_cast<std::size_t>(k)]));
      ASSERT_EQ(s.test(t), r[4][static_cast<std::size_t>(t)] < threshold) << level << " " << t;
    }
  }
}

TEST(ScBernstein, LongStreamsApproachThePolynomial) {
  const auto b = fit_bernstein([](double t) { return 0.2 + 0.6 * t * t; }, 3);
  const BernsteinCircuit circuit(b, 4096);
  for (const int level : {0, 64, 128, 200, 256}) {
    EXPECT_NEAR(circuit.stream(level).value(), bernstein_value(b, level / 256.0), 0.03) << level;
  }
  // Generators are distinct: no two share their first 32 outputs.
  const auto gens = bernstein_generators(6);
  for (std::size_t i = 0; i < gens.size(); ++i) {
    for (std::size_t j = i + 1; j < gens.size(); ++j) EXPECT_NE(gens[i].sequence(32), gens[j].sequence(32));
  }
  EXPECT_THROW(BernsteinCircuit({0.5, 1.5}, 16), Error);
  EXPECT_EQ(circuit.lane_hardware().cycles, 4096);
}

}  // namespace vitdse::arith

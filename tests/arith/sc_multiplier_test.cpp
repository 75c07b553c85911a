// The sc multiplier family: bit-exact against a naive simulation, stream statistics against
// theory, spec errors, and the cell account against UnarySim's synthesis figures.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/sc_accumulate.hpp"
#include "vitdse/arith/sc_encoding.hpp"
#include "vitdse/arith/sc_generator.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/cost/technology.hpp"

namespace vitdse::arith {
namespace {

std::unique_ptr<Multiplier> make_sc(const std::string& text) { return make_multiplier(text); }

std::string param(const UnitSpec& spec, const std::string& key, const std::string& fallback) {
  const auto it = spec.params.find(key);
  return it == spec.params.end() ? fallback : it->second;
}

// ---- a naive, unpacked reference written from the documented definitions ----------------

/// The sc LFSR as a list of register bits: 2n bits, the default polynomial (or its reciprocal),
/// s >= n shifts per clock with gcd(s, 2^2n - 1) = 1, the top n bits as output.
std::vector<std::uint32_t> naive_lfsr(int n, std::uint32_t seed, bool reciprocal, int length) {
  const int w = 2 * n;
  const std::uint32_t p = LfsrGenerator::default_polynomial(w);
  std::vector<int> taps, reg(static_cast<std::size_t>(w));
  for (int k = 0; k < w; ++k) {
    if ((p >> (reciprocal ? w - k : k)) & 1U) taps.push_back(k);
    reg[static_cast<std::size_t>(k)] = static_cast<int>((seed >> k) & 1U);
  }
  int steps = n;
  while (std::gcd(steps, (1 << w) - 1) != 1) ++steps;
  std::vector<std::uint32_t> out;
  for (int t = 0; t < length; ++t) {
    std::uint32_t v = 0;
    for (int j = 0; j < n; ++j) v |= static_cast<std::uint32_t>(reg[static_cast<std::size_t>(w - n + j)]) << j;
    out.push_back(v);
    for (int s = 0; s < steps; ++s) {
      int feedback = 0;
      for (const int k : taps) feedback ^= reg[static_cast<std::size_t>(k)];
      reg.erase(reg.begin());
      reg.push_back(feedback);
    }
  }
  return out;
}

double radical_inverse(long i, int base) {
  double phi = 0, scale = 1.0 / base;
  for (; i > 0; i /= base, scale /= base) phi += static_cast<double>(i % base) * scale;
  return phi;
}

/// ceil((2j+1)·2^n / (2P)) - 1: the ramp step j of period P.
std::uint32_t naive_ramp(int n, int period, int j) {
  return static_cast<std::uint32_t>(std::ceil((2.0 * j + 1) * std::ldexp(1.0, n) / (2.0 * period)) - 1);
}

std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>> naive_generators(const std::string& sng, int n,
                                                                                   int length) {
  std::vector<std::uint32_t> a, b;
  if (sng == "lfsr") return {naive_lfsr(n, 1, false, length), naive_lfsr(n, 1U << (2 * n - 1), true, length)};
  const int l1 = 1 << static_cast<int>(std::ceil(std::log2(static_cast<double>(length)) / 2));
  const int l2 = (length + l1 - 1) / l1;
  const std::vector<std::uint32_t> m2{1, 3, 5, 15, 17, 51, 85, 255};
  for (int t = 0; t < length; ++t) {
    const auto i = static_cast<std::uint32_t>(t % (1 << n));
    if (sng == "sobol") {
      std::uint32_t x = 0, y = 0;
      for (int k = 0; k < n; ++k) {
        if ((i >> k) & 1U) {
          x ^= 1U << (n - 1 - k);
          y ^= m2[static_cast<std::size_t>(k)] << (n - 1 - k);
        }
      }
      a.push_back(x);
      b.push_back(y);
    } else if (sng == "halton") {
      long period = 1;
      while (period < (1L << n)) period *= 3;
      a.push_back(static_cast<std::uint32_t>(std::floor(radical_inverse(t % (1L << n), 2) * std::ldexp(1.0, n))));
      b.push_back(static_cast<std::uint32_t>(std::floor(radical_inverse(t % period, 3) * std::ldexp(1.0, n))));
    } else {
      a.push_back(naive_ramp(n, l1, t % l1));
      b.push_back(naive_ramp(n, l2, (t / l1) % l2));
    }
  }
  return {a, b};
}

/// The product, cycle by cycle, of the circuit a spec describes.
class NaiveSc {
 public:
  explicit NaiveSc(const std::string& text) {
    const UnitSpec spec = parse_unit_spec(text);
    n_ = std::stoi(spec.positional[0]);
    signed_ = spec.positional[0].back() == 's';
    length_ = std::stoi(param(spec, "L", std::to_string(1 << n_)));
    enc_ = param(spec, "enc", signed_ ? "bipolar" : "unipolar");
    std::tie(ga_, gb_) = naive_generators(param(spec, "sng", "lfsr"), n_, length_);
  }

  [[nodiscard]] std::int64_t mul(std::int64_t a, std::int64_t b) const {
    const bool bipolar = enc_ == "bipolar", magnitude = signed_ && !bipolar;
    const auto threshold = [&](std::int64_t v) -> std::int64_t {
      if (bipolar) return v + (std::int64_t{1} << (n_ - 1));
      return magnitude ? 2 * std::abs(v) : v;
    };
    const std::int64_t ta = threshold(a), tb = threshold(b);
    const double full = std::ldexp(1.0, n_);
    int count = 0;
    for (int t = 0; t < length_; ++t) {
      const bool bit_a = enc_ == "thermometer" ? t < std::floor(static_cast<double>(ta) * length_ / full + 0.5)
                                               : ga_[static_cast<std::size_t>(t)] < ta;
      const bool bit_b = gb_[static_cast<std::size_t>(t)] < tb;
      count += bipolar ? bit_a == bit_b : bit_a && bit_b;
    }
    // One division each, so an exact half stays exact and rounds away from zero.
    const double unit = std::ldexp(1.0, 2 * n_ - 2);
    if (bipolar) return std::llround((2.0 * count - length_) * unit / length_);
    if (magnitude) {
      const auto r = std::llround(count * unit / length_);
      return (a < 0) != (b < 0) ? -r : r;
    }
    return std::llround(count * 4 * unit / length_);
  }

 private:
  int n_ = 0, length_ = 0;
  bool signed_ = false;
  std::string enc_;
  std::vector<std::uint32_t> ga_, gb_;
};

double mean_abs_error(const Multiplier& m) {
  double sum = 0, pairs = 0;
  for (std::int64_t a = m.min_operand(); a <= m.max_operand(); ++a) {
    for (std::int64_t b = m.min_operand(); b <= m.max_operand(); ++b, ++pairs)
      sum += std::abs(static_cast<double>(m.mul(a, b) - a * b));
  }
  return sum / pairs;
}

// ---- statistics over independently seeded trials -----------------------------------------

struct Moments {
  double mean = 0, variance = 0;
};

/// Mean and variance over trials of the unipolar product estimate count / L of a·b / 2^2n (or
/// the bipolar 2·count / L - 1), `draw` giving each trial's two generator sequences.
template <class Draw>
std::vector<Moments> trial_moments(const std::vector<std::pair<int, int>>& pairs, int trials, bool bipolar, Draw draw) {
  std::vector<double> sum(pairs.size(), 0), sum_sq(pairs.size(), 0);
  for (int trial = 0; trial < trials; ++trial) {
    const auto [ra, rb] = draw();
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const Bitstream sa = comparator_stream(static_cast<std::uint32_t>(pairs[k].first), ra);
      const Bitstream sb = comparator_stream(static_cast<std::uint32_t>(pairs[k].second), rb);
      const double p = static_cast<double>(bipolar ? xnor_count(sa, sb) : and_count(sa, sb)) / sa.length();
      const double estimate = bipolar ? 2 * p - 1 : p;
      sum[k] += estimate;
      sum_sq[k] += estimate * estimate;
    }
  }
  std::vector<Moments> out;
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const double mean = sum[k] / trials;
    out.push_back({mean, (sum_sq[k] - trials * mean * mean) / (trials - 1)});
  }
  return out;
}

/// The sample variance of T estimates with excess kurtosis k has relative standard error
/// sqrt(2/(T-1) + k/T); for a binomial proportion k = (1 - 6pq) / (L·pq). Checks use 4 of
/// these (a chance of ~6e-5 each of failing by sampling alone; the seeds are fixed, so the
/// outcome is reproducible).
double variance_tolerance(double p, int length, int trials) {
  const double pq = p * (1 - p);
  const double kurtosis = (1 - 6 * pq) / (length * pq);
  return 4 * std::sqrt(2.0 / (trials - 1) + kurtosis / trials);
}

const std::vector<std::pair<int, int>> kUnipolarPairs{{64, 64},  {64, 192},  {128, 128}, {128, 240},
                                                      {192, 96}, {240, 240}, {32, 224},  {160, 200}};

}  // namespace

TEST(ScMultiplier, TableEqualsANaivePerBitSimulation) {
  for (const char* spec :
       {"sc:4u:L=16:enc=unipolar:sng=lfsr", "sc:4u:L=50:enc=thermometer:sng=sobol", "sc:4s:L=32:enc=bipolar:sng=halton",
        "sc:4s:L=64:enc=unipolar:sng=counter", "sc:4s:L=24:enc=thermometer:sng=lfsr", "sc:4u:L=100:sng=counter",
        "sc:4s:L=7:enc=bipolar:sng=lfsr", "sc:4u:L=4096:sng=halton", "sc:4s:L=300:sng=sobol"}) {
    const auto unit = make_sc(spec);
    const NaiveSc naive(spec);
    for (std::int64_t a = unit->min_operand(); a <= unit->max_operand(); ++a) {
      for (std::int64_t b = unit->min_operand(); b <= unit->max_operand(); ++b) {
        ASSERT_EQ(unit->mul(a, b), naive.mul(a, b)) << spec << " a=" << a << " b=" << b;
      }
    }
  }
  std::mt19937 rng(17);
  for (const char* spec :
       {"sc:8u:L=256:enc=unipolar:sng=lfsr", "sc:8s:L=128:enc=bipolar:sng=sobol", "sc:8s:L=200:enc=unipolar:sng=halton",
        "sc:8u:L=1000:enc=thermometer:sng=sobol", "sc:8u:L=256:sng=counter", "sc:8s:L=96:enc=thermometer:sng=halton"}) {
    const auto unit = make_sc(spec);
    const NaiveSc naive(spec);
    std::uniform_int_distribution<std::int64_t> operand(unit->min_operand(), unit->max_operand());
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs{{unit->min_operand(), unit->min_operand()},
                                                             {unit->max_operand(), unit->max_operand()},
                                                             {unit->min_operand(), unit->max_operand()},
                                                             {0, unit->max_operand()}};
    for (int k = 0; k < 300; ++k) pairs.emplace_back(operand(rng), operand(rng));
    for (const auto& [a, b] : pairs) ASSERT_EQ(unit->mul(a, b), naive.mul(a, b)) << spec << " a=" << a << " b=" << b;
  }
}

TEST(ScMultiplier, MeanAbsoluteErrorShrinksAsStreamsGrow) {
  for (const char* base :
       {"sc:8u:enc=unipolar:sng=lfsr", "sc:8u:enc=unipolar:sng=sobol", "sc:8u:enc=unipolar:sng=halton",
        "sc:8u:enc=unipolar:sng=counter", "sc:8u:enc=thermometer:sng=sobol", "sc:8s:enc=bipolar:sng=lfsr",
        "sc:8s:enc=bipolar:sng=sobol", "sc:8s:enc=unipolar:sng=lfsr"}) {
    double previous = 0, first = 0;
    for (int length = 8; length <= 256; length *= 2) {
      const double mae = mean_abs_error(*make_sc(std::string(base) + ":L=" + std::to_string(length)));
      if (length == 8) {
        first = mae;
      } else {
        // Pseudo-random streams shorter than the generator's period are not strictly better at
        // every doubling (an LFSR's prefixes can correlate); allow 2% and demand the trend below.
        EXPECT_LT(mae, 1.02 * previous) << base << " L=" << length;
      }
      previous = mae;
    }
    EXPECT_LT(previous, 0.3 * first) << base;  // at least the 1/sqrt(L) of random streams
  }
}

TEST(ScMultiplier, DeterministicUnaryIsExactUpToQuantisation) {
  // Clock division: a is quantised to 1/L1, b to 1/L2, each within half a step.
  for (const auto& [length, l1, l2] : {std::tuple{16, 4, 4}, std::tuple{64, 8, 8}, std::tuple{256, 16, 16}}) {
    const auto unit = make_sc("sc:8u:sng=counter:L=" + std::to_string(length));
    const double bound = (0.5 / l1 + 0.5 / l2 + 0.25 / (l1 * l2)) * 65536 + 0.5;
    for (std::int64_t a = 0; a < 256; a += 5) {
      for (std::int64_t b = 0; b < 256; b += 3)
        EXPECT_LE(std::abs(static_cast<double>(unit->mul(a, b) - a * b)), bound);
    }
  }
}

TEST(ScStatistics, LfsrProductVarianceIsBinomial) {
  constexpr int kTrials = 2000;
  std::mt19937 rng(21);
  std::uniform_int_distribution<std::uint32_t> seed(1, 65535);
  for (const int length : {16, 64, 256}) {
    const auto moments = trial_moments(kUnipolarPairs, kTrials, false, [&] {
      return std::pair{decorrelated_lfsr(8, seed(rng), false).sequence(length),
                       decorrelated_lfsr(8, seed(rng), true).sequence(length)};
    });
    for (std::size_t k = 0; k < kUnipolarPairs.size(); ++k) {
      const double p = kUnipolarPairs[k].first / 256.0 * kUnipolarPairs[k].second / 256.0;
      const double theory = p * (1 - p) / length;
      EXPECT_NEAR(moments[k].mean, p, 4 * std::sqrt(theory / kTrials)) << "L=" << length << " p=" << p;
      EXPECT_NEAR(moments[k].variance / theory, 1.0, variance_tolerance(p, length, kTrials))
          << "L=" << length << " p=" << p;
    }
  }
}

TEST(ScStatistics, BipolarProductVarianceIsOneMinusXSquaredOverL) {
  constexpr int kTrials = 2000;
  std::mt19937 rng(23);
  std::uniform_int_distribution<std::uint32_t> seed(1, 65535);
  // Operands -96, -32, 32, 112 of 8s as offset thresholds v + 128.
  const std::vector<std::pair<int, int>> pairs{{32, 32}, {32, 240}, {96, 160}, {160, 240}, {240, 240}, {96, 96}};
  for (const int length : {16, 64, 256}) {
    const auto moments = trial_moments(pairs, kTrials, true, [&] {
      return std::pair{decorrelated_lfsr(8, seed(rng), false).sequence(length),
                       decorrelated_lfsr(8, seed(rng), true).sequence(length)};
    });
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const double x = (pairs[k].first - 128) / 128.0 * (pairs[k].second - 128) / 128.0;
      const double theory = (1 - x * x) / length;
      EXPECT_NEAR(moments[k].mean, x, 4 * std::sqrt(theory / kTrials)) << "L=" << length << " x=" << x;
      EXPECT_NEAR(moments[k].variance / theory, 1.0, variance_tolerance((1 + x) / 2, length, kTrials))
          << "L=" << length << " x=" << x;
    }
  }
}

TEST(ScStatistics, PlainLfsrStreamsAreAutocorrelated) {
  // Why the sc LFSR leaps: a plain 8-bit LFSR's next value is its current one shifted by a bit,
  // so comparator streams are positively autocorrelated and products vary more than binomially.
  constexpr int kTrials = 2000, kLength = 64;
  std::mt19937 rng(29);
  std::uniform_int_distribution<std::uint32_t> seed(1, 255);
  const std::uint32_t p8 = LfsrGenerator::default_polynomial(8);
  const auto moments = trial_moments(kUnipolarPairs, kTrials, false, [&] {
    // The plain LFSR never outputs 0; shift to 0..254 so the means stay comparable.
    auto a = LfsrGenerator(8, p8, seed(rng)).sequence(kLength),
         b = LfsrGenerator(8, LfsrGenerator::reciprocal_polynomial(p8, 8), seed(rng)).sequence(kLength);
    for (auto& v : a) --v;
    for (auto& v : b) --v;
    return std::pair{a, b};
  });
  double ratio = 0;
  for (std::size_t k = 0; k < kUnipolarPairs.size(); ++k) {
    const double p = kUnipolarPairs[k].first / 255.0 * kUnipolarPairs[k].second / 255.0;
    ratio += moments[k].variance / (p * (1 - p) / kLength) / static_cast<double>(kUnipolarPairs.size());
  }
  EXPECT_GT(ratio, 1.2);
}

TEST(ScStatistics, SobolBeatsLfsrAtShortLengths) {
  // Sobol dimensions 1 and 2 form a (0, m, 2)-net: for L = 2^m the count in [0, a) x [0, b)
  // misses a·b·L / 2^2n by O(m) points at most, so the variance falls like (log L / L)^2, not
  // p(1-p) / L. A random digital shift per trial keeps the net and makes each point uniform.
  constexpr int kTrials = 1000;
  std::mt19937 rng(31);
  std::uniform_int_distribution<std::uint32_t> shift(0, 255), seed(1, 65535);
  for (const int length : {16, 32, 64, 256}) {
    const auto sobol = trial_moments(kUnipolarPairs, kTrials, false, [&] {
      return std::pair{SobolGenerator(8, 1, shift(rng)).sequence(length),
                       SobolGenerator(8, 2, shift(rng)).sequence(length)};
    });
    const auto lfsr = trial_moments(kUnipolarPairs, kTrials, false, [&] {
      return std::pair{decorrelated_lfsr(8, seed(rng), false).sequence(length),
                       decorrelated_lfsr(8, seed(rng), true).sequence(length)};
    });
    double sobol_ratio = 0;
    for (std::size_t k = 0; k < kUnipolarPairs.size(); ++k) {
      const double p = kUnipolarPairs[k].first / 256.0 * kUnipolarPairs[k].second / 256.0;
      EXPECT_NEAR(sobol[k].mean, p, 4 * std::sqrt(p * (1 - p) / length / kTrials)) << "unbiased, L=" << length;
      EXPECT_LT(sobol[k].variance, lfsr[k].variance) << "L=" << length << " p=" << p;
      sobol_ratio += sobol[k].variance / (p * (1 - p) / length) / static_cast<double>(kUnipolarPairs.size());
    }
    EXPECT_LT(sobol_ratio, length <= 32 ? 0.5 : 0.25) << "L=" << length;
  }
}

TEST(ScMultiplier, DefaultsAndCanonicalSpecs) {
  EXPECT_EQ(make_sc("sc:8u")->spec(), "sc:8u:L=256:enc=unipolar:sng=lfsr");
  EXPECT_EQ(make_sc("sc:8s")->spec(), "sc:8s:L=256:enc=bipolar:sng=lfsr");
  EXPECT_EQ(make_sc("sc:4s:sng=sobol:acc=counter:L=64")->spec(), "sc:4s:L=64:enc=bipolar:sng=sobol");
  EXPECT_EQ(make_sc("sc:4u:acc=bsn")->spec(), "sc:4u:L=16:acc=bsn:enc=unipolar:sng=lfsr");
  EXPECT_EQ(make_sc("sc:8u:L=64")->hardware().cycles, 64);
  const auto family = sc_family();
  EXPECT_EQ(family.min_bits, 2);
  EXPECT_EQ(family.max_bits, 8);
}

TEST(ScMultiplier, BadSpecsGiveOneLineErrors) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"sc:8u:L=0", "L=0 is out of range; allowed 2..4096"},
      {"sc:8u:L=5000", "allowed 2..4096"},
      {"sc:8u:enc=polar", "unknown enc 'polar'"},
      {"sc:8u:sng=mersenne", "allowed: lfsr, sobol, halton, counter"},
      {"sc:8u:acc=tree", "allowed: counter, mux, apc, bsn"},
      {"sc:8u:frob=1", "unknown key 'frob'"},
      {"sc:8u:enc=bipolar", "needs a signed width"},
      {"sc:8u:enc=thermometer:sng=counter", "min(a, b)"},
      {"sc:9u", "allowed 2..8 bits"}};
  for (const auto& [spec, needle] : cases) {
    try {
      (void)make_sc(spec);
      ADD_FAILURE() << spec << " was accepted";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(needle), std::string::npos) << what;
      EXPECT_NE(what.find(spec), std::string::npos) << what;  // names the spec
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(ScMultiplier, CellAccountOfALane) {
  // sc:8u default: AND2, 2 x (8-bit register + 8-bit comparator: 8 XOR2 + 8 MUX2), 1/16 of two
  // 16-bit LFSRs leaping 8 shifts (3 XOR2 each), a 9-bit output counter.
  const Hardware u = make_sc("sc:8u")->hardware();
  EXPECT_DOUBLE_EQ(u.and2, 1);
  EXPECT_DOUBLE_EQ(u.fa, 0);
  EXPECT_DOUBLE_EQ(u.mux2, 16);
  EXPECT_DOUBLE_EQ(u.dff, 16 + 32.0 / 16 + 9);
  EXPECT_DOUBLE_EQ(u.xor2, 16 + 48.0 / 16);
  EXPECT_DOUBLE_EQ(u.ha, 9);
  EXPECT_DOUBLE_EQ(u.cycles, 256);
  const Hardware s = make_sc("sc:8s")->hardware();  // XNOR instead of AND
  EXPECT_DOUBLE_EQ(s.and2, 0);
  EXPECT_DOUBLE_EQ(s.xor2, 16 + 1 + 48.0 / 16);
  const Hardware sm = make_sc("sc:8s:enc=unipolar")->hardware();  // sign-magnitude converters
  EXPECT_DOUBLE_EQ(sm.xor2, 16 + 48.0 / 16 + 2 * 8 + 1 + 9);
  EXPECT_DOUBLE_EQ(sm.ha, 9 + 2 * 8);
  // Sharing one adder among 16 lanes beats a counter per lane.
  const auto tech = cost::load_technology("cmos45");
  const double counter = tech.price(u).area_um2;
  for (const char* acc : {"apc", "bsn", "mux"})
    EXPECT_LT(tech.price(make_sc(std::string("sc:8u:acc=") + acc)->hardware()).area_um2, counter) << acc;
  EXPECT_GT(make_sc("sc:8u")->hardware().depth, 8);
}

/// Our price of the account of one of UnarySim's circuits over its synthesised area: in total,
/// and split as Design Compiler reports it (combinational / noncombinational area).
struct UnarySimRatio {
  double total = 0, combinational = 0, sequential = 0;
};

/// Prices accounts in UnarySim's library. Its figures are Design Compiler cell areas in TSMC's
/// 40 nm LP library; ours are FreePDK45 cells anchored on EvoApproxLib's synthesis and scaled to
/// 40 nm. The two flows price the one circuit both synthesised, the 8x8 multiplier (bMUL,
/// 382.435 um^2 of logic), differently, so combinational area is divided by that ratio. Flops
/// are compared at cell area, where the libraries agree (4.07 against 4.057 um^2).
class UnarySimLibrary {
 public:
  static constexpr double kMultiplierLogicUm2 = 382.435201;  // bMUL_area.txt, combinational

  explicit UnarySimLibrary(const cost::Technology& tech)
      : tech_(tech),
        logic_factor_(tech.price(make_multiplier("exact:8u")->hardware()).area_um2 / kMultiplierLogicUm2) {}

  /// Our combinational price over UnarySim's for the same 8x8 multiplier.
  [[nodiscard]] double logic_factor() const { return logic_factor_; }

  [[nodiscard]] UnarySimRatio ratio(const Hardware& h, double total, double combinational = 0,
                                    double sequential = 0) const {
    Hardware comb = h;
    comb.dff = 0;
    Hardware flops;
    flops.dff = h.dff;
    const double logic = tech_.price(comb).area_um2 / logic_factor_;
    const double registers = tech_.price(flops).area_um2;
    return {(logic + registers) / total, combinational > 0 ? logic / combinational : 0,
            sequential > 0 ? registers / sequential : 0};
  }

 private:
  const cost::Technology& tech_;
  double logic_factor_;
};

/// UnarySim's SobolRNGDim1: the Gray-code generator with an enable input (n AND2 gate the
/// direction number, so the output holds while the enable is low).
Hardware unarysim_sobol(int bits) {
  Hardware h = SobolGenerator(bits, 1, 0, SobolOrder::gray).hardware();
  Hardware enable;
  enable.and2 = bits;
  h += enable;
  return h;
}

/// The row's documented ratios, and whether the total is within the +-25% band.
void expect_row(const UnarySimRatio& r, double total, double combinational, double sequential, const char* row) {
  EXPECT_NEAR(r.total, total, 0.01) << row;
  if (combinational > 0) {
    EXPECT_NEAR(r.combinational, combinational, 0.01) << row;
  }
  if (sequential > 0) {
    EXPECT_NEAR(r.sequential, sequential, 0.01) << row;
  }
}
void expect_within(const UnarySimRatio& r, const char* row) { EXPECT_LE(std::abs(r.total - 1), 0.25) << row; }

TEST(ScMultiplier, CellAccountAgainstUnarySimSynthesis) {
  // UnarySim's Design Compiler reports, TSMC 40 nm LP (cell area; the wire load adds none),
  // each against the account of the same RTL built from our cells and priced in UnarySim's
  // library. The rows, their sources and the reasons for the gaps: the calibration table above
  // sc_family() in src/arith/multipliers/sc.cpp.
  const auto tech = cost::load_technology("cmos45", 40);
  const UnarySimLibrary library(tech);
  EXPECT_NEAR(library.logic_factor(), 1.42, 0.01);
  const Hardware flop = register_hardware(1);

  // 8-bit binary multiplier with registered operands and product (32 flops): its logic is the
  // library factor, so only the flops are compared.
  Hardware bmul = make_multiplier("exact:8u")->hardware();
  bmul += register_hardware(32);
  expect_row(library.ratio(bmul, 513.6768, UnarySimLibrary::kMultiplierLogicUm2, 131.241599), 0.99, 1.0, 0.99, "bMUL");

  // 8-bit binary MAC (bMAC_SIMD/mac.sv): the multiplier, a 20-bit adder, a 20-bit select of
  // the accumulator and 20 output flops.
  Hardware bmac = make_multiplier("exact:8u")->hardware();
  bmac += adder_hardware(20);
  Hardware select20;
  select20.mux2 = 20;
  bmac += select20;
  bmac += register_hardware(20);
  const auto bmac_ratio = library.ratio(bmac, 598.877999, 517.734, 81.143999);
  expect_row(bmac_ratio, 1.04, 1.05, 1.0, "bMAC");
  expect_within(bmac_ratio, "bMAC");

  // AND-gate multiplier, 5.1 um^2: a bare AND2 is 0.27x; with a registered output, as
  // UnarySim's stand-alone kernels have, 1.07x.
  Hardware and_gate = gate_hardware(ScEncoding::unipolar);
  expect_row(library.ratio(and_gate, 5.1), 0.27, 0, 0, "bare AND2");
  and_gate += flop;
  expect_row(library.ratio(and_gate, 5.1), 1.07, 0, 0, "registered AND2");
  expect_within(library.ratio(and_gate, 5.1), "registered AND2");

  // Sobol RNG, Gray-code form with an enable, at 3, 8 and 10 bits. The 10-bit one is outside.
  const auto sobol8 = library.ratio(unarysim_sobol(8), 175.341605, 97.196404, 78.145201);
  expect_row(sobol8, 0.78, 0.74, 0.83, "Sobol RNG 8-bit");
  expect_within(sobol8, "Sobol RNG 8-bit");
  const auto sobol3 = library.ratio(unarysim_sobol(3), 59.3);
  expect_row(sobol3, 0.81, 0, 0, "Sobol RNG 3-bit");
  expect_within(sobol3, "Sobol RNG 3-bit");
  expect_row(library.ratio(unarysim_sobol(10), 230.6), 0.75, 0, 0, "Sobol RNG 10-bit");
  // Our sng=sobol generator is natural order: a counter, a different and cheaper circuit.
  expect_row(library.ratio(SobolGenerator(8, 1).hardware(), 175.3), 0.35, 0, 0, "natural-order Sobol");

  // uMUL_uni: Sobol RNG, 8-bit operand buffer, comparator, AND.
  Hardware umul = unarysim_sobol(8);
  umul += register_hardware(8);
  umul += comparator_hardware(8);
  umul += gate_hardware(ScEncoding::unipolar);
  const auto umul_ratio = library.ratio(umul, 207.622805, 84.319202, 123.303603);
  expect_row(umul_ratio, 1.00, 1.30, 0.79, "uMUL_uni");
  expect_within(umul_ratio, "uMUL_uni");

  // Adders with registered outputs: MUX and APC over 16 inputs (the reports' 23 ports), OR over
  // 8. The MUX adder is just outside.
  Hardware mux = mux_adder_hardware(16);
  mux += flop;
  expect_row(library.ratio(mux, 32.2812, 28.224, 4.0572), 1.25, 1.29, 1.0, "muxADD");
  Hardware apc;  // UnarySim's approximate APC: OR pairs, 4 FA, a 4-bit register and comparator
  apc.and2 = 8;
  apc.fa = 4;
  apc += register_hardware(4);
  apc += comparator_hardware(4);
  const auto apc_ratio = library.ratio(apc, 55.918801, 39.690001, 16.2288);
  expect_row(apc_ratio, 1.21, 1.29, 1.0, "apcADD");
  expect_within(apc_ratio, "apcADD");
  Hardware or_adder = or_adder_hardware(8);
  or_adder += flop;
  const auto or_ratio = library.ratio(or_adder, 11.8188, 7.7616, 4.0572);
  expect_row(or_ratio, 1.17, 1.25, 1.0, "orADD");
  expect_within(or_ratio, "orADD");

  // uSADD16, the MACs' scaled adder: a 16-input parallel counter and a 4-bit accumulator.
  Hardware sadd = apc_hardware(16);
  sadd += accumulator_hardware(4, 4);
  Hardware carry_out;
  carry_out.and2 = 1;
  sadd += carry_out;
  const auto sadd_ratio = library.ratio(sadd, 104.252401, 88.023601, 16.2288);
  expect_row(sadd_ratio, 1.10, 1.12, 1.0, "uSADD16");
  expect_within(sadd_ratio, "uSADD16");

  // 16-lane MACs: 16 multipliers, each with its own Sobol RNGs, and uSADD16.
  Hardware mac = sadd;
  for (int lane = 0; lane < 16; ++lane) mac += umul;
  const auto mac_ratio = library.ratio(mac, 3360.949236, 1355.104836, 2005.8444);
  expect_row(mac_ratio, 1.02, 1.37, 0.79, "uMAC_uni_scaled");
  expect_within(mac_ratio, "uMAC_uni_scaled");
  Hardware umul_bi = unarysim_sobol(8);  // uMUL_bi: a second RNG steps on the stream's zeros
  umul_bi += unarysim_sobol(8);
  umul_bi += register_hardware(8);
  umul_bi += comparator_hardware(8);
  umul_bi += comparator_hardware(8);
  Hardware select;
  select.mux2 = 1;
  umul_bi += select;
  const auto umul_bi_ratio = library.ratio(umul_bi, 364.266003, 159.994804, 204.271199);
  expect_row(umul_bi_ratio, 1.05, 1.37, 0.80, "uMUL_bi");
  expect_within(umul_bi_ratio, "uMUL_bi");
  Hardware mac_bi = sadd;
  for (int lane = 0; lane < 16; ++lane) mac_bi += umul_bi;
  const auto mac_bi_ratio = library.ratio(mac_bi, 5944.680104, 2707.387269, 3237.292835);
  expect_row(mac_bi_ratio, 1.05, 1.33, 0.81, "uMAC_bi_scaled");
  expect_within(mac_bi_ratio, "uMAC_bi_scaled");
}

}  // namespace vitdse::arith

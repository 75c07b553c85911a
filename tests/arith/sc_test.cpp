// SC building blocks against bit-by-bit definitions: streams, generators, encodings, adders.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "vitdse/arith/sc_accumulate.hpp"
#include "vitdse/arith/sc_encoding.hpp"
#include "vitdse/arith/sc_generator.hpp"
#include "vitdse/arith/sc_stream.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

Bitstream random_stream(int length, double p, std::mt19937& rng) {
  std::bernoulli_distribution bit(p);
  Bitstream s(length);
  for (int t = 0; t < length; ++t) s.set(t, bit(rng));
  return s;
}

/// Runs `f`, which must throw one vitdse::Error whose one-line message contains `needle`.
template <class F>
void expect_error(F f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(needle), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

}  // namespace

TEST(ScStream, GatesMatchTheirBitwiseDefinitions) {
  std::mt19937 rng(7);
  for (const int length : {2, 63, 64, 65, 200, 4096}) {
    const Bitstream a = random_stream(length, 0.3, rng), b = random_stream(length, 0.6, rng),
                    s = random_stream(length, 0.5, rng);
    const Bitstream x_and = a & b, x_or = a | b, x_xnor = xnor(a, b), x_mux = mux(s, a, b);
    int ones = 0, and_ones = 0, xnor_ones = 0;
    for (int t = 0; t < length; ++t) {
      ones += a.test(t);
      and_ones += a.test(t) && b.test(t);
      xnor_ones += a.test(t) == b.test(t);
      ASSERT_EQ(x_and.test(t), a.test(t) && b.test(t));
      ASSERT_EQ(x_or.test(t), a.test(t) || b.test(t));
      ASSERT_EQ(x_xnor.test(t), a.test(t) == b.test(t));
      ASSERT_EQ(x_mux.test(t), s.test(t) ? a.test(t) : b.test(t));
    }
    EXPECT_EQ(a.count(), ones);
    EXPECT_EQ(x_and.count(), and_ones);
    EXPECT_EQ(x_xnor.count(), xnor_ones);  // padding past L must not count
    EXPECT_EQ(and_count(a, b), and_ones);
    EXPECT_EQ(xnor_count(a, b), xnor_ones);
    EXPECT_EQ(x_xnor.words().back() & ~last_word_mask(length), 0U);
  }
  EXPECT_EQ(Bitstream::from_string("0110100").to_string(), "0110100");
  EXPECT_DOUBLE_EQ(Bitstream::from_string("1101").value(), 0.75);
}

TEST(ScStream, RejectsBadLengthsAndMismatches) {
  expect_error([] { (void)Bitstream(1); }, "allowed 2..4096");
  expect_error([] { (void)Bitstream(4097); }, "allowed 2..4096");
  expect_error([] { (void)(Bitstream(8) & Bitstream(16)); }, "same length");
  expect_error([] { (void)Bitstream::from_string("01x1"); }, "not 0 or 1");
}

TEST(ScGenerator, DefaultLfsrPolynomialsHaveMaximalPeriod) {
  for (int width = 2; width <= 16; ++width) {
    for (const bool reciprocal : {false, true}) {
      const std::uint32_t p = LfsrGenerator::default_polynomial(width);
      const LfsrGenerator lfsr(width, reciprocal ? LfsrGenerator::reciprocal_polynomial(p, width) : p, 1);
      // The register permutes the nonzero states; a cycle of 2^w - 1 through seed 1 visits all.
      std::uint32_t state = 1;
      long period = 0;
      do {
        state = lfsr.step(state);
        ++period;
      } while (state != 1 && period <= (1L << width));
      EXPECT_EQ(period, (1L << width) - 1) << "width " << width << (reciprocal ? " reciprocal" : "");
    }
  }
}

TEST(ScGenerator, DecorrelatedLfsrIsUniformOverItsFullPeriod) {
  for (int bits = 1; bits <= 8; ++bits) {
    const LfsrGenerator g = decorrelated_lfsr(bits, 1, false);
    EXPECT_GE(g.steps_per_clock(), bits);
    const int period = (1 << (2 * bits)) - 1;
    const auto seq = g.sequence(period + 1);
    EXPECT_EQ(seq[static_cast<std::size_t>(period)], seq[0]);
    // Each n-bit output appears 2^n times per period, except 0 (the all-zero state is excluded).
    std::vector<int> hist(std::size_t{1} << bits, 0);
    for (int t = 0; t < period; ++t) ++hist[seq[static_cast<std::size_t>(t)]];
    for (std::size_t v = 0; v < hist.size(); ++v) EXPECT_EQ(hist[v], (1 << bits) - (v == 0 ? 1 : 0)) << bits;
  }
  // A plain LFSR outputs its state, which is never zero.
  const LfsrGenerator plain(4, LfsrGenerator::default_polynomial(4), 1);
  const auto seq = plain.sequence(15);
  EXPECT_EQ(std::count(seq.begin(), seq.end(), 0U), 0);
}

TEST(ScGenerator, SobolDimensionsFollowTheirDefinitions) {
  constexpr int n = 8;
  const auto dim1 = SobolGenerator(n, 1).sequence(512);
  for (std::uint32_t i = 0; i < 512; ++i) {
    std::uint32_t reversed = 0;
    for (int k = 0; k < n; ++k) reversed |= ((i >> k) & 1U) << (n - 1 - k);
    ASSERT_EQ(dim1[i], reversed) << i;  // van der Corput, period 2^n
  }
  const std::vector<std::uint32_t> m{1, 3, 5, 15, 17, 51, 85, 255};  // x + 1: Pascal's triangle mod 2
  const SobolGenerator g2(n, 2);
  for (int k = 0; k < n; ++k)
    EXPECT_EQ(g2.direction_numbers()[static_cast<std::size_t>(k)], m[static_cast<std::size_t>(k)] << (n - 1 - k));
  const auto dim2 = g2.sequence(256);
  // Dimensions 1 and 2: a (0, m, 2)-net: every elementary box of area 2^-m holds exactly one of
  // the first 2^m points.
  for (int mm = 0; mm <= n; ++mm) {
    for (int a = 0; a <= mm; ++a) {
      const int b = mm - a;
      std::vector<int> boxes(std::size_t{1} << mm, 0);
      for (int i = 0; i < (1 << mm); ++i) {
        const auto x = dim1[static_cast<std::size_t>(i)] >> (n - a), y = dim2[static_cast<std::size_t>(i)] >> (n - b);
        ++boxes[(x << b) | y];
      }
      for (const int c : boxes) ASSERT_EQ(c, 1) << "m=" << mm << " a=" << a;
    }
  }
  // Every dimension is stratified alone, and a digital shift XORs every point.
  for (int d = 1; d <= 4; ++d) {
    const auto seq = SobolGenerator(n, d).sequence(256);
    const auto shifted = SobolGenerator(n, d, 0x5A).sequence(256);
    for (int mm = 0; mm <= n; ++mm) {
      std::vector<int> cells(std::size_t{1} << mm, 0);
      for (int i = 0; i < (1 << mm); ++i) ++cells[seq[static_cast<std::size_t>(i)] >> (n - mm)];
      for (const int c : cells) ASSERT_EQ(c, 1) << "dimension " << d << " m=" << mm;
    }
    for (std::size_t i = 0; i < 256; ++i) ASSERT_EQ(shifted[i], seq[i] ^ 0x5AU);
  }
}

TEST(ScGenerator, SobolGrayOrderVisitsTheSamePointsPerBlock) {
  constexpr int n = 8;
  for (int d = 1; d <= 4; ++d) {
    const auto natural = SobolGenerator(n, d).sequence(512);
    const SobolGenerator gray(n, d, 0, SobolOrder::gray);
    const auto seq = gray.sequence(512);
    for (std::uint32_t t = 0; t < 512; ++t) {
      const std::uint32_t j = t % 256;
      ASSERT_EQ(seq[t], natural[j ^ (j >> 1)]) << "dimension " << d << " t=" << t;
      // The circuit: each step XORs the direction number of the counter's least significant
      // zero (the last one also on the wrap from all ones).
      if (t > 0) {
        const std::uint32_t c = (t - 1) % 256;
        const int k = std::min(std::countr_one(c), n - 1);
        ASSERT_EQ(seq[t], seq[t - 1] ^ gray.direction_numbers()[static_cast<std::size_t>(k)]) << t;
      }
    }
  }
  EXPECT_EQ(SobolGenerator(3, 1, 0, SobolOrder::gray).sequence(4), (std::vector<std::uint32_t>{0, 4, 6, 2}));
  // Over L = 2^m cycles, dimensions 1 and 2 on one counter give the same SC count in both orders.
  const auto x = SobolGenerator(n, 1).sequence(256), y = SobolGenerator(n, 2).sequence(256);
  const auto gx = SobolGenerator(n, 1, 0, SobolOrder::gray).sequence(256);
  const auto gy = SobolGenerator(n, 2, 0, SobolOrder::gray).sequence(256);
  for (int length = 1; length <= 256; length *= 2) {
    for (std::uint32_t a = 0; a < 256; a += 7) {
      for (std::uint32_t b = 0; b < 256; b += 5) {
        int natural = 0, gray = 0;
        for (int t = 0; t < length; ++t) {
          const auto i = static_cast<std::size_t>(t);
          natural += static_cast<int>(x[i] < a && y[i] < b);
          gray += static_cast<int>(gx[i] < a && gy[i] < b);
        }
        ASSERT_EQ(gray, natural) << "L=" << length << " a=" << a << " b=" << b;
      }
    }
  }
  // Not at other lengths: the first three points differ.
  EXPECT_NE(std::vector(gx.begin(), gx.begin() + 3), std::vector(x.begin(), x.begin() + 3));
}

TEST(ScGenerator, SobolCellAccountsOfBothOrders) {
  // Natural order: a counter; dimension 2's XOR trees have 27 - 8 = 19 gates (Pascal mod 2).
  const Hardware d1 = SobolGenerator(8, 1).hardware(), d2 = SobolGenerator(8, 2).hardware();
  EXPECT_DOUBLE_EQ(d1.dff, 8);
  EXPECT_DOUBLE_EQ(d1.ha, 8);
  EXPECT_DOUBLE_EQ(d1.xor2 + d1.and2, 0);
  EXPECT_DOUBLE_EQ(d2.xor2, 19);
  // Gray order: counter, 12 select-line gates, an 8-bit XOR into an 8-bit register; dimension 2
  // ORs its select lines into 19 gates.
  const Hardware g1 = SobolGenerator(8, 1, 0, SobolOrder::gray).hardware();
  const Hardware g2 = SobolGenerator(8, 2, 0, SobolOrder::gray).hardware();
  EXPECT_DOUBLE_EQ(g1.dff, 16);
  EXPECT_DOUBLE_EQ(g1.ha, 8);
  EXPECT_DOUBLE_EQ(g1.and2, 12);
  EXPECT_DOUBLE_EQ(g1.xor2, 8);
  EXPECT_DOUBLE_EQ(g2.and2, 12 + 19);
  EXPECT_DOUBLE_EQ(SobolGenerator(2, 1, 0, SobolOrder::gray).hardware().and2, 0);
  EXPECT_EQ(SobolGenerator(8, 2, 0, SobolOrder::gray).describe(), "sobol dim 2 gray -> 8 bits");
}

TEST(ScGenerator, HaltonIsTheRadicalInverse) {
  EXPECT_EQ(HaltonGenerator(8, 2).sequence(600), SobolGenerator(8, 1).sequence(600));
  for (const int base : {3, 5, 7}) {
    const HaltonGenerator g(8, base, 11);
    int digits = 0;
    long period = 1;
    while (period < 256) {
      period *= base;
      ++digits;
    }
    EXPECT_EQ(g.period(), static_cast<std::uint32_t>(period));
    const auto seq = g.sequence(2000);
    for (long t = 0; t < 2000; ++t) {
      long i = (t + 11) % period;
      double phi = 0, scale = 1.0 / base;
      for (int d = 0; d < digits; ++d, i /= base, scale /= base) phi += static_cast<double>(i % base) * scale;
      ASSERT_EQ(seq[static_cast<std::size_t>(t)], static_cast<std::uint32_t>(std::floor(phi * 256)))
          << base << " " << t;
    }
  }
}

TEST(ScGenerator, CountersRampAndDivideTheClock) {
  const auto ramp = CounterGenerator(8, 256).sequence(300);
  for (std::size_t t = 0; t < 300; ++t) EXPECT_EQ(ramp[t], t % 256);
  const auto held = CounterGenerator(4, 16, 3).sequence(48);
  for (std::size_t t = 0; t < 48; ++t) EXPECT_EQ(held[t], t / 3);
  // Deterministic unary: over L = L1·L2 cycles every pair of ramp steps meets exactly once.
  const GeneratorPair pair = operand_generators(SngKind::counter, 8, 256);
  const auto a = pair.a->sequence(256), b = pair.b->sequence(256);
  std::vector<int> seen(std::size_t{1} << 16, 0);
  for (std::size_t t = 0; t < 256; ++t) ++seen[(a[t] << 8) | b[t]];
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 256);
}

TEST(ScGenerator, RejectsBadParameters) {
  expect_error([] { (void)LfsrGenerator(17, 1, 1); }, "allowed 2..16");
  expect_error([] { (void)LfsrGenerator(8, 0x71, 1); }, "allowed: bits 8 and 0 set");
  expect_error([] { (void)LfsrGenerator(8, 0x171, 0); }, "allowed 1..255");
  expect_error([] { (void)SobolGenerator(8, 5); }, "allowed 1..4");
  expect_error([] { (void)HaltonGenerator(8, 4); }, "allowed 2, 3, 5, 7");
  expect_error([] { (void)parse_sng_kind("sobl", "test"); }, "did you mean 'sobol'");
}

TEST(ScEncoding, ThermometerIsExactUpToHalfABitOfTheStream) {
  for (const int n : {2, 4, 8}) {
    for (const int length : {2, 3, 7, 64, 100, 256, 4096}) {
      const auto ramp = CounterGenerator(n, length).sequence(length);
      for (std::uint32_t v = 0; v <= (1U << n); ++v) {
        const Bitstream s = thermometer_stream(v, n, length);
        const int ones = s.count();
        for (int t = 0; t < length; ++t) ASSERT_EQ(s.test(t), t < ones);  // a prefix of ones
        const double exact = std::ldexp(static_cast<double>(v), -n);
        EXPECT_LE(std::abs(decode(ScEncoding::thermometer, s) - exact), 0.5 / length + 1e-12);
        EXPECT_EQ(s, comparator_stream(v, ramp)) << "n=" << n << " L=" << length << " v=" << v;
      }
    }
  }
}

TEST(ScEncoding, EncodeAndDecodeRoundTrip) {
  // Over one full Sobol period every level is hit exactly once: decoding is exact.
  const SobolGenerator g(6, 1);
  for (std::int64_t v = 0; v < 64; ++v)
    EXPECT_DOUBLE_EQ(decode(ScEncoding::unipolar, encode(ScEncoding::unipolar, v, 6, g, 64)), v / 64.0);
  for (std::int64_t v = -32; v < 32; ++v)
    EXPECT_DOUBLE_EQ(decode(ScEncoding::bipolar, encode(ScEncoding::bipolar, v, 6, g, 64)), v / 32.0);
  expect_error([&] { (void)encode(ScEncoding::unipolar, 64, 6, g, 64); }, "allowed 0..63");
  expect_error([&] { (void)encode(ScEncoding::bipolar, -33, 6, g, 64); }, "allowed -32..31");
  expect_error([&] { (void)encode(ScEncoding::unipolar, 1, 8, g, 64); }, "must match");
  expect_error([] { (void)parse_sc_encoding("polar", "test"); }, "allowed: unipolar, bipolar, thermometer");
}

TEST(ScAccumulate, BitonicSorterCountsEveryInputOfEight) {
  const BitonicSorter bsn(8);
  for (std::uint64_t x = 0; x < 256; ++x) {
    const std::uint64_t thermometer = (std::uint64_t{1} << std::popcount(x)) - 1;
    ASSERT_EQ(bsn.sort_bits(x), thermometer) << x;
    std::vector<std::uint64_t> lanes(8);
    for (int i = 0; i < 8; ++i) lanes[static_cast<std::size_t>(i)] = ((x >> i) & 1U) ? ~std::uint64_t{0} : 0;
    bsn.sort_words(lanes);
    for (int i = 0; i < 8; ++i) ASSERT_EQ(lanes[static_cast<std::size_t>(i)] != 0, ((thermometer >> i) & 1U) != 0);
  }
}

TEST(ScAccumulate, BitonicSorterCountsRandomInputsOfSixtyFour) {
  const BitonicSorter bsn(64);
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::uint64_t x = rng() & rng();  // skew the counts away from 32
    const int ones = std::popcount(x);
    ASSERT_EQ(bsn.sort_bits(x), ones == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << ones) - 1);
  }
  std::mt19937 rng32(5);
  std::vector<Bitstream> streams;
  for (int i = 0; i < 64; ++i) streams.push_back(random_stream(300, (i % 8) / 8.0, rng32));
  const auto counts = bsn_count(streams);
  ASSERT_EQ(counts, parallel_count(streams));
  for (int t = 0; t < 300; ++t) {
    int naive = 0;
    for (const auto& s : streams) naive += s.test(t);
    ASSERT_EQ(counts[static_cast<std::size_t>(t)], naive) << t;
  }
}

TEST(ScAccumulate, BitonicSorterSizeAndDepth) {
  for (int k = 1; k <= 10; ++k) {
    const int n = 1 << k;
    const BitonicSorter bsn(n);
    EXPECT_EQ(bsn.cell_count(), n * k * (k + 1) / 4) << n;
    EXPECT_EQ(bsn.depth(), k * (k + 1) / 2) << n;
    for (const auto& stage : bsn.stages()) {  // each stage touches every wire exactly once
      std::vector<int> used(static_cast<std::size_t>(n), 0);
      for (const auto& c : stage) ++used[static_cast<std::size_t>(c.high)], ++used[static_cast<std::size_t>(c.low)];
      ASSERT_EQ(std::count(used.begin(), used.end(), 1), n);
    }
    EXPECT_DOUBLE_EQ(bsn.hardware().and2, 2.0 * n * k * (k + 1) / 4);
  }
  expect_error([] { (void)BitonicSorter(12); }, "power of two in 2..1024");
}

TEST(ScAccumulate, ParallelCountIsExact) {
  std::mt19937 rng(11);
  for (const int inputs : {1, 3, 16, 100}) {
    std::vector<Bitstream> streams;
    for (int i = 0; i < inputs; ++i) streams.push_back(random_stream(130, 0.4, rng));
    const auto counts = parallel_count(streams);
    for (int t = 0; t < 130; ++t) {
      int naive = 0;
      for (const auto& s : streams) naive += s.test(t);
      ASSERT_EQ(counts[static_cast<std::size_t>(t)], naive);
    }
  }
}

TEST(ScAccumulate, MuxAndOrAdders) {
  std::mt19937 rng(13);
  std::vector<Bitstream> streams;
  for (int i = 0; i < 4; ++i) streams.push_back(random_stream(256, 0.2 * (i + 1), rng));
  // Round-robin select: cycle t takes input t mod 4.
  const Bitstream robin = mux_add(streams, *select_generator(SngKind::counter, 4));
  for (int t = 0; t < 256; ++t) ASSERT_EQ(robin.test(t), streams[static_cast<std::size_t>(t % 4)].test(t));
  // Scaled addition: with a stratified select each input is seen L/N times.
  std::vector<Bitstream> constant;
  for (int i = 0; i < 16; ++i) constant.push_back(thermometer_stream(i % 2 == 0 ? 0 : 256, 8, 4096));
  EXPECT_DOUBLE_EQ(mux_add(constant, *select_generator(SngKind::sobol, 16)).value(), 0.5);
  const Bitstream any = or_add(streams);
  for (int t = 0; t < 256; ++t) {
    bool naive = false;
    for (const auto& s : streams) naive = naive || s.test(t);
    ASSERT_EQ(any.test(t), naive);
  }
  expect_error([&] { (void)mux_add(streams, *select_generator(SngKind::counter, 8)); }, "need 2");
  // Cell accounts: 8 inputs.
  EXPECT_DOUBLE_EQ(mux_adder_hardware(8).mux2, 7);
  EXPECT_DOUBLE_EQ(or_adder_hardware(8).and2, 7);
  EXPECT_DOUBLE_EQ(apc_hardware(8).fa, 4);
  EXPECT_DOUBLE_EQ(apc_hardware(8).ha, 3);
  EXPECT_DOUBLE_EQ(output_counter_hardware(256).dff, 9);  // log2(L) + 1 bits
  EXPECT_DOUBLE_EQ(output_counter_hardware(100).dff, 7);
}

TEST(ScStream, DispatchedPopcountMatchesThePortablePath) {
  std::mt19937 rng(11);
  for (const int length : {2, 64, 65, 511, 512, 513, 4096}) {
    const Bitstream a = random_stream(length, 0.4, rng), b = random_stream(length, 0.7, rng);
    EXPECT_EQ(popcount_and_words(a.words(), b.words()), portable_popcount_and_words(a.words(), b.words())) << length;
  }
}

}  // namespace vitdse::arith

// LayerNorm implementations: exact, and I-BERT's integer-only form with an integer square root.
#include <algorithm>
#include <bit>
#include <cmath>

#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/partial_products.hpp"

namespace vitdse::arith {

namespace {

/// Per element: subtract the mean, square and accumulate, accumulate the sum, normalise
/// (2 mults + 3 adds). Per row: mean and variance scaling (2 mults) and a Newton-Raphson
/// inverse square root (7 mults + 2 adds).
class ExactLayerNorm final : public LayerNormUnit {
 public:
  ExactLayerNorm() : LayerNormUnit("layernorm:exact") {}
  [[nodiscard]] bool exact() const override { return true; }
  void apply(std::span<const double> x, std::span<double> y, double eps) const override {
    const auto n = static_cast<double>(x.size());
    double mean = 0, var = 0;
    for (double v : x) mean += v;
    mean /= n;
    for (double v : x) var += (v - mean) * (v - mean);
    const double inv = 1.0 / std::sqrt(var / n + eps);
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = (x[i] - mean) * inv;
  }
  [[nodiscard]] Hardware element_hardware() const override { return fp16_recipe(2, 3); }
  [[nodiscard]] Hardware row_hardware() const override { return fp16_recipe(9, 2); }
};

/// I-BERT's integer LayerNorm (Kim et al., ICML 2021): the row is quantised to `bits` with a
/// per-row scale (max |x| maps to the largest code); the mean and variance are integer sums;
/// the standard deviation is the integer square root found by Newton's iteration
/// s <- (s + floor(v / s)) / 2 from a power-of-two start; outputs are
/// (q - mean) floor(2^16 / s) / 2^16. eps is applied in code units squared.
class IntegerLayerNorm final : public LayerNormUnit {
 public:
  explicit IntegerLayerNorm(int bits) : LayerNormUnit("layernorm:int:bits=" + std::to_string(bits)), bits_(bits) {}

  static long long isqrt(long long v) {
    if (v <= 0) return 0;
    long long s = 1LL << ((std::bit_width(static_cast<unsigned long long>(v)) + 1) / 2);  // >= sqrt(v)
    for (;;) {
      const long long next = (s + v / s) / 2;
      if (next >= s) return s;
      s = next;
    }
  }

  void apply(std::span<const double> x, std::span<double> y, double eps) const override {
    const long long qmax = (1LL << (bits_ - 1)) - 1;
    double peak = 0;
    for (double v : x) peak = std::max(peak, std::abs(v));
    const double scale = peak > 0 ? peak / static_cast<double>(qmax) : 1.0;
    const auto n = static_cast<long long>(x.size());
    std::vector<long long> q(x.size());
    long long sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) sum += q[i] = std::llround(x[i] / scale);
    // Work at n times the code scale so the mean stays an integer.
    long long var = 0;
    for (long long v : q) var += (v * n - sum) * (v * n - sum);
    var = var / n + std::llround(eps / (scale * scale) * static_cast<double>(n * n));
    const long long sd = std::max(1LL, isqrt(var));
    const long long factor = (1LL << 16) * 1024 / sd;  // 10 extra fraction bits
    for (std::size_t i = 0; i < x.size(); ++i) {
      y[i] = std::ldexp(static_cast<double>((q[i] * n - sum) * factor), -26);
    }
  }

  /// Per element: n·q - sum (2 bits + 10 FA), its square for the variance ((bits + 10)^2 array),
  /// accumulation (2 bits + 30 FA), and the product with the reciprocal ((bits + 10) x 26 array).
  [[nodiscard]] Hardware element_hardware() const override {
    const int w = bits_ + 10;
    Hardware h = array_multiplier_hardware(w, w);
    h += array_multiplier_hardware(w, 26);
    h.fa += 2 * bits_ + 10 + 2 * bits_ + 30;
    return h;
  }
  /// Per row: the integer square root (about 16 Newton steps of a 32-bit divider and adder, run
  /// serially on one 32 x 32 array divider) and the 2^26 / sd division.
  [[nodiscard]] Hardware row_hardware() const override {
    Hardware h;
    h.fa = 32.0 * 32.0 + 32;
    h.cycles = 17;
    h.depth = 64;
    return h;
  }

 private:
  int bits_;
};

}  // namespace

std::vector<NonlinearFamily> layernorm_families() {
  return {
      {"layernorm",
       "exact",
       "mean, variance and an fp16 inverse square root",
       {},
       [](const UnitSpec&) -> std::unique_ptr<NonlinearUnit> { return std::make_unique<ExactLayerNorm>(); }},
      {"layernorm",
       "int",
       "I-BERT integer LayerNorm with a Newton integer square root",
       {{"bits", "4..16 (default 8)", "input code width (per-row scale)"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<IntegerLayerNorm>(int_param(spec, "bits", 4, 16, 8));
       }},
  };
}

}  // namespace vitdse::arith

// Softmax implementations: exact, I-ViT's integer Shiftmax, log2-quantised outputs, and
// vitdse's division-free iterative normalisation.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/partial_products.hpp"

namespace vitdse::arith {

namespace {

constexpr double kLog2E = 1.4426950408889634;

void exact_softmax(std::span<const double> x, std::span<double> y) {
  const double max = *std::max_element(x.begin(), x.end());
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sum += y[i] = std::exp(x[i] - max);
  for (double& v : y) v /= sum;
}

/// Per element: subtract the max (1 add), exp (4 mults + 4 adds), accumulate (1 add), scale by
/// the reciprocal (1 mult). Per row: one Newton-Raphson reciprocal (5 mults + 2 adds).
class ExactSoftmax final : public SoftmaxUnit {
 public:
  ExactSoftmax() : SoftmaxUnit("softmax:exact") {}
  void apply(std::span<const double> x, std::span<double> y) const override { exact_softmax(x, y); }
  [[nodiscard]] bool exact() const override { return true; }
  [[nodiscard]] Hardware element_hardware() const override { return fp16_recipe(5, 6); }
  [[nodiscard]] Hardware row_hardware() const override { return fp16_recipe(5, 2); }
};

/// I-ViT's Shiftmax (Li & Gu, ICCV 2023), integer only. Logits are quantised to `bits` with a
/// power-of-two scale S = 2^-m covering +-range, and carried with 8 guard bits. With q <= 0
/// after subtracting the row max,
/// x·log2(e) ~ q + (q >> 1) - (q >> 4); 2^(-r) for r = i + f is (1 - f/2) >> i; the row sum's
/// reciprocal is one integer division 2^31 / sum, and outputs keep `obits` bits.
class Shiftmax final : public SoftmaxUnit {
 public:
  Shiftmax(int bits, int range, int obits)
      : SoftmaxUnit("softmax:shiftmax:bits=" + std::to_string(bits) + ":obits=" + std::to_string(obits) +
                    ":range=" + std::to_string(range)),
        bits_(bits),
        obits_(obits) {
    const double qmax = static_cast<double>((1LL << (bits - 1)) - 1);
    frac_bits_ = std::max(0, static_cast<int>(std::floor(std::log2(qmax / range))));
    qmax_ = static_cast<long long>(qmax);
  }

  void apply(std::span<const double> x, std::span<double> y) const override {
    // The exponent is computed with kGuard more fraction bits than the input codes carry.
    const int work = frac_bits_ + kGuard;
    const long long one = 1LL << work;  // 1.0 in working units
    std::vector<long long> q(x.size()), e(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      q[i] = std::clamp(std::llround(std::ldexp(x[i], frac_bits_)), -qmax_, qmax_);
    }
    const long long max = *std::max_element(q.begin(), q.end());
    long long sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const long long d = (q[i] - max) * (1LL << kGuard);  // <= 0, in working units
      const long long r = -(d + (d >> 1) - (d >> 4));      // -x·log2(e), >= 0
      const long long whole = r >> work, frac = r & (one - 1);
      e[i] = whole >= 62 ? 0 : (one - (frac >> 1)) >> whole;
      sum += e[i];
    }
    const long long factor = (1LL << 31) / sum;
    for (std::size_t i = 0; i < x.size(); ++i) {
      y[i] = std::ldexp(static_cast<double>((e[i] * factor) >> (31 - obits_)), -obits_);
    }
  }

  /// Per element: max compare and subtract (2 x bits FA), the two shifted adds (2 x (bits+2) FA),
  /// 1 - f/2 (m + 1 FA), a shifter by the integer part, the running sum (bits + 10 FA), and
  /// the (bits+1) x 32 product with the reciprocal. Per row: a 32-bit array divider.
  [[nodiscard]] Hardware element_hardware() const override {
    const int n = bits_;
    const int w = n + kGuard;
    Hardware h = array_multiplier_hardware(w + 1, 32);
    h += shifter_hardware(w + 1, w + 1);
    h.fa += 2 * n + 2 * (w + 2) + frac_bits_ + kGuard + 1 + w + 10;
    h.depth += 2 * n;
    return h;
  }
  [[nodiscard]] Hardware row_hardware() const override {
    Hardware h;
    h.fa = 32.0 * 32.0;
    h.depth = 32.0 * 32.0;
    return h;
  }

 private:
  static constexpr int kGuard = 8;
  int bits_, obits_, frac_bits_ = 0;
  long long qmax_ = 0;
};

/// Exact softmax whose outputs are quantised to powers of two, 2^-k for k = 0..2^bits - 1
/// (FQ-ViT's log2 attention quantiser), so the following AV product needs only shifts.
class Log2Softmax final : public SoftmaxUnit {
 public:
  explicit Log2Softmax(int bits) : SoftmaxUnit("softmax:log2:bits=" + std::to_string(bits)), levels_((1 << bits) - 1) {}
  void apply(std::span<const double> x, std::span<double> y) const override {
    exact_softmax(x, y);
    for (double& p : y) {
      const double k = std::round(-std::log2(p));
      p = k > levels_ ? 0.0 : std::ldexp(1.0, -static_cast<int>(std::max(0.0, k)));
    }
  }
  /// The exact element recipe, then a leading-one detector and a rounding compare on the fp16
  /// result (16 gates and 5 FA).
  [[nodiscard]] Hardware element_hardware() const override {
    Hardware h = fp16_recipe(5, 6);
    h += leading_one_hardware(16);
    h.fa += 5;
    return h;
  }
  [[nodiscard]] Hardware row_hardware() const override { return fp16_recipe(5, 2); }
  [[nodiscard]] bool power_of_two_outputs() const override { return true; }

 private:
  int levels_;
};

/// vitdse's SC-friendly iterative softmax: no exponential unit and no divider.
///  - e_i = 2^(-r_i), r_i = (max - x_i) log2(e), with 2^(-f) for the fraction f by the quadratic
///    1 - 0.6565 f + 0.1554 f^2 and the integer part as a shift;
///  - 1/s for s = sum e_i by k Newton-Raphson steps r <- r (2 - s r) from r_0 = 2^-ceil(log2 s),
///    a shift; each step is two multiplications and a subtraction, which SC does with AND gates
///    and a complement. k = 0 normalises by the power of two only; k = 3 is within 1e-4.
///  - p_i = e_i r_k.
class IterativeSoftmax final : public SoftmaxUnit {
 public:
  explicit IterativeSoftmax(int k) : SoftmaxUnit("softmax:iter:k=" + std::to_string(k)), k_(k) {}

  void apply(std::span<const double> x, std::span<double> y) const override {
    const double max = *std::max_element(x.begin(), x.end());
    double s = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double r = (max - x[i]) * kLog2E;
      const double whole = std::floor(r), f = r - whole;
      s += y[i] = whole > 60 ? 0.0 : std::ldexp(1.0 - 0.6565 * f + 0.1554 * f * f, -static_cast<int>(whole));
    }
    double reciprocal = std::ldexp(1.0, -static_cast<int>(std::ceil(std::log2(s))));
    for (int step = 0; step < k_; ++step) reciprocal *= 2.0 - s * reciprocal;
    for (double& v : y) v *= reciprocal;
  }
  /// Per element: (max - x) log2 e (1 + 1), the quadratic (2 + 2), the shift (16-bit, 16
  /// positions), the sum (1 add) and the final scaling (1 mult).
  [[nodiscard]] Hardware element_hardware() const override {
    Hardware h = fp16_recipe(4, 4);
    h += shifter_hardware(16, 16);
    return h;
  }
  /// Per row: the initial shift from a leading-one detector, then k steps of 2 mults + 1 add.
  [[nodiscard]] Hardware row_hardware() const override {
    Hardware h = fp16_recipe(2.0 * k_, k_);
    h += leading_one_hardware(16);
    return h;
  }

 private:
  int k_;
};

/// ReLU linear attention's normalisation (the softmax-free attention of EfficientViT and
/// Trio-ViT) written over one row of scores: p_i = max(0, x_i) / sum_j max(0, x_j), uniform when
/// no score is positive. It is not an approximation of softmax: a model must be trained for it.
/// The unit prices the normaliser only; a model card's `attention: linear-relu` is what makes the
/// workload's attention linear in the token count.
class LinearReluSoftmax final : public SoftmaxUnit {
 public:
  LinearReluSoftmax() : SoftmaxUnit("softmax:linear-relu") {}
  void apply(std::span<const double> x, std::span<double> y) const override {
    double sum = 0;
    for (std::size_t i = 0; i < x.size(); ++i) sum += y[i] = std::max(0.0, x[i]);
    for (double& v : y) v = sum > 0 ? v / sum : 1.0 / static_cast<double>(y.size());
  }
  /// Per element: the sign bit gates the fp16 word (16 AND2), one add to the row sum and one
  /// multiplication by its reciprocal. Per row: the reciprocal (5 mults + 2 adds).
  [[nodiscard]] Hardware element_hardware() const override {
    Hardware h = fp16_recipe(1, 1);
    h.and2 = 16;
    return h;
  }
  [[nodiscard]] Hardware row_hardware() const override { return fp16_recipe(5, 2); }
};

}  // namespace

std::vector<NonlinearFamily> softmax_families() {
  return {
      {"softmax",
       "exact",
       "exp and one reciprocal per row on an fp16 multiply-add lane",
       {},
       [](const UnitSpec&) -> std::unique_ptr<NonlinearUnit> { return std::make_unique<ExactSoftmax>(); }},
      {"softmax",
       "shiftmax",
       "I-ViT Shiftmax: integer shift-and-add exp2, one integer division per row",
       {{"bits", "4..16 (default 8)", "logit code width"},
        {"range", "1..64 (default 8)", "logit range +-range (rounded down to a power-of-two scale)"},
        {"obits", "2..16 (default 8)", "output probability bits"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<Shiftmax>(int_param(spec, "bits", 4, 16, 8), int_param(spec, "range", 1, 64, 8),
                                           int_param(spec, "obits", 2, 16, 8));
       }},
      {"softmax",
       "linear-relu",
       "ReLU linear attention's normalisation max(0, x) / sum max(0, x): softmax-free (needs a model trained for it)",
       {},
       [](const UnitSpec&) -> std::unique_ptr<NonlinearUnit> { return std::make_unique<LinearReluSoftmax>(); }},
      {"softmax",
       "log2",
       "exact softmax with outputs quantised to powers of two (shift-only AV)",
       {{"bits", "1..5 (default 4)", "exponent code width: outputs 2^0 .. 2^-(2^bits - 1), else 0"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<Log2Softmax>(int_param(spec, "bits", 1, 5, 4));
       }},
      {"softmax",
       "iter",
       "division-free: exp2 by shift + quadratic, reciprocal by k Newton-Raphson steps",
       {{"k", "0..8 (default 3)", "Newton-Raphson iterations; accuracy against cost"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<IterativeSoftmax>(int_param(spec, "k", 0, 8, 3));
       }},
  };
}

}  // namespace vitdse::arith

// GELU implementations: exact (erf), tanh approximation, ReLU and I-BERT's integer polynomial.
#include <algorithm>
#include <cmath>

#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/partial_products.hpp"

namespace vitdse::arith {

namespace {

constexpr double kSqrt2 = 1.4142135623730951;

/// Floating-point units are evaluated in double precision: their error is the approximation's,
/// not fp16 rounding's. Their hardware is the fp16 operation count of the algorithm.
class ExactGelu final : public GeluUnit {
 public:
  ExactGelu() : GeluUnit("gelu:exact") {}
  [[nodiscard]] double apply(double x) const override { return exact_gelu(x); }
  [[nodiscard]] bool exact() const override { return true; }
  /// A degree-5 polynomial erf of |x|/sqrt(2) (6 multiply-adds), the sign, 0.5·x·(1 + erf).
  [[nodiscard]] Hardware element_hardware() const override { return fp16_recipe(7, 6); }
};

class TanhGelu final : public GeluUnit {
 public:
  TanhGelu() : GeluUnit("gelu:tanh") {}
  [[nodiscard]] double apply(double x) const override {
    const double u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
    return 0.5 * x * (1.0 + std::tanh(u));
  }
  /// x^3 (2), the two constants (2 mults, 1 add), tanh(u) = 1 - 2/(e^(2u) + 1) with the fp16
  /// exp (4 + 4) and reciprocal (5 + 2) recipes and 2 adds, then 0.5·x·(1 + t) (1 + 1).
  [[nodiscard]] Hardware element_hardware() const override { return fp16_recipe(14, 10); }
};

class ReluGelu final : public GeluUnit {
 public:
  explicit ReluGelu(int bits) : GeluUnit("gelu:relu"), bits_(bits) {}
  [[nodiscard]] double apply(double x) const override { return x > 0 ? x : 0; }
  /// The sign bit gates the word: one AND per bit.
  [[nodiscard]] Hardware element_hardware() const override {
    Hardware h;
    h.and2 = bits_;
    h.depth = 0.5;
    return h;
  }

 private:
  int bits_;
};

/// I-BERT's integer GELU (Kim et al., ICML 2021): erf by the second-order polynomial
/// L(x) = sgn(x) [a (min(|x|, -b) + b)^2 + 1], a = -0.2888, b = -1.769, evaluated on the integer
/// code q of x with scale S, so every step is an integer add, square or multiply:
///   i-erf on (q, S/sqrt 2): q_L = (min(|q|, -q_b) + q_b)^2 + q_c, q_b = floor(b/S'), q_c = floor(1/(a S'^2))
///   q_out = q (sgn(q) q_L + floor(1/S_erf)),  S_out = S S_erf / 2,  S_erf = a S'^2.
/// Inputs are quantised to `bits` over [-range, range].
class IbertGelu final : public GeluUnit {
 public:
  IbertGelu(int bits, double range)
      : GeluUnit("gelu:ibert:bits=" + std::to_string(bits) + ":range=" + std::to_string(static_cast<int>(range))),
        bits_(bits),
        qmax_((1LL << (bits - 1)) - 1),
        scale_(range / static_cast<double>(qmax_)) {}

  [[nodiscard]] double apply(double x) const override {
    const auto q = static_cast<long long>(std::clamp(std::llround(x / scale_), -qmax_, qmax_));
    constexpr double a = -0.2888, b = -1.769;
    const double s_erf_in = scale_ / kSqrt2;
    const auto q_b = static_cast<long long>(std::floor(b / s_erf_in));
    const auto q_c = static_cast<long long>(std::floor(1.0 / (a * s_erf_in * s_erf_in)));
    const double s_erf = a * s_erf_in * s_erf_in;
    const long long magnitude = std::min(q < 0 ? -q : q, -q_b);
    const long long q_l = (magnitude + q_b) * (magnitude + q_b) + q_c;
    const long long q_erf = q < 0 ? -q_l : q_l;
    const auto q_one = static_cast<long long>(std::floor(1.0 / s_erf));
    const long long q_out = q * (q_erf + q_one);
    return static_cast<double>(q_out) * scale_ * s_erf / 2.0;
  }

  /// |q| and the clamp (bits FA), q + q_b (bits + 1 FA), its square ((bits+1)^2 array),
  /// + q_c and the sign (2 bits + 2 FA, 2 bits + 2 XOR), + floor(1/S_erf) (2 bits + 2 FA), and
  /// the final q x (...) product (bits x (2 bits + 3) array).
  [[nodiscard]] Hardware element_hardware() const override {
    const int n = bits_;
    Hardware h = array_multiplier_hardware(n + 1, n + 1);
    const double square_depth = h.depth;
    const Hardware product = array_multiplier_hardware(n, 2 * n + 3);
    h += product;
    h.fa += n + (n + 1) + 2 * (2 * n + 2);
    h.xor2 += 2 * n + 2;
    h.depth = n + square_depth + 2 * n + 2 + product.depth;
    return h;
  }

 private:
  int bits_;
  long long qmax_;
  double scale_;
};

}  // namespace

double exact_gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / kSqrt2)); }

std::vector<NonlinearFamily> gelu_families() {
  return {
      {"gelu",
       "exact",
       "0.5 x (1 + erf(x / sqrt 2)) on an fp16 multiply-add lane",
       {},
       [](const UnitSpec&) -> std::unique_ptr<NonlinearUnit> { return std::make_unique<ExactGelu>(); }},
      {"gelu",
       "tanh",
       "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) on an fp16 lane",
       {},
       [](const UnitSpec&) -> std::unique_ptr<NonlinearUnit> { return std::make_unique<TanhGelu>(); }},
      {"gelu",
       "relu",
       "max(0, x): GELU replaced by ReLU (needs weights tuned for it)",
       {},
       [](const UnitSpec&) -> std::unique_ptr<NonlinearUnit> { return std::make_unique<ReluGelu>(16); }},
      {"gelu",
       "ibert",
       "I-BERT integer GELU: second-order polynomial erf on the integer code",
       {{"bits", "4..16 (default 8)", "input code width"}, {"range", "1..64 (default 4)", "input range +-range"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<IbertGelu>(int_param(spec, "bits", 4, 16, 8), int_param(spec, "range", 1, 64, 4));
       }},
  };
}

}  // namespace vitdse::arith

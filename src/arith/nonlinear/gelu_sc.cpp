// Stochastic-computing GELU units: sorter + selective interconnect, Stanh FSM, Bernstein.
#include <algorithm>
#include <bit>
#include <cmath>

#include "vitdse/arith/sc_accumulate.hpp"
#include "vitdse/arith/sc_encoding.hpp"
#include "vitdse/arith/sc_fsm.hpp"
#include "vitdse/arith/sc_gelu.hpp"

namespace vitdse::arith {

namespace {

constexpr double kGeluDip = 0.17;  // |min GELU| = 0.16997, at x = -0.7518

/// Output wires below zero: enough that -offset·step <= -0.17 with step = 4 / (L - offset).
int gelu_offset(int length) { return static_cast<int>(std::ceil(length * kGeluDip / (4.0 + kGeluDip))); }

int gelu_inputs(int length) { return static_cast<int>(std::bit_ceil(static_cast<unsigned>(2 * length))); }

/// For each input level c = round((x + 4)·m/8), the output count N minimising the summed
/// |step·(N - offset) - GELU(x)| over 64 evenly spaced x per input step on [-4, 4]: the median of
/// the level's GELU values, rounded to whichever neighbouring count costs less.
std::vector<int> fit_levels(int inputs, int length, int offset, double step) {
  const int points = 64 * inputs;
  std::vector<std::vector<double>> values(static_cast<std::size_t>(inputs) + 1);
  for (int g = 0; g < points; ++g) {
    const double x = -kScGeluRange + 2 * kScGeluRange * (g + 0.5) / points;
    const auto c = std::lround((x + kScGeluRange) * inputs / (2 * kScGeluRange));
    values[static_cast<std::size_t>(c)].push_back(exact_gelu(x));
  }
  std::vector<int> level(values.size(), offset);
  for (std::size_t c = 0; c < values.size(); ++c) {
    auto& v = values[c];
    if (v.empty()) continue;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    const double ideal = v[v.size() / 2] / step + offset;
    const auto cost = [&](int n) {
      double s = 0;
      for (const double y : v) s += std::abs(step * (n - offset) - y);
      return s;
    };
    const int lo = std::clamp(static_cast<int>(std::floor(ideal)), 0, length);
    const int hi = std::clamp(lo + 1, 0, length);
    level[c] = cost(hi) < cost(lo) ? hi : lo;
  }
  return level;
}

}  // namespace

// ---- gelu:sc ------------------------------------------------------------------------------

ScGelu::ScGelu(int length)
    : GeluUnit("gelu:sc:L=" + std::to_string(length)),
      length_(length),
      inputs_(gelu_inputs(length)),
      offset_(gelu_offset(length)),
      step_(kScGeluRange / (length - offset_)),
      si_(SelectiveInterconnect::fit(inputs_, length_, [levels = fit_levels(inputs_, length, offset_, step_)](int c) {
        return levels[static_cast<std::size_t>(c)];
      })) {}

int ScGelu::input_code(double x) const {
  const double c =
      std::round((std::clamp(x, -kScGeluRange, kScGeluRange) + kScGeluRange) * inputs_ / (2 * kScGeluRange));
  return static_cast<int>(c);
}

// ---- gelu:sc-fsm ----------------------------------------------------------------------------

namespace {

double fsm_gelu_steady(double x, double range) { return x * (1 + stanh_steady_state(x / range, FsmGelu::kStates)) / 2; }

/// The input scale R >= 4 minimising the steady-state MAE (golden-section search on [4, 8]).
double fit_fsm_range() {
  const auto mae = [](double range) {
    double s = 0;
    for (int i = 0; i <= 2000; ++i) {
      const double x = -kScGeluRange + 2 * kScGeluRange * i / 2000.0;
      s += std::abs(fsm_gelu_steady(x, range) - exact_gelu(x));
    }
    return s;
  };
  const double golden = (std::sqrt(5.0) - 1) / 2;
  double a = kScGeluRange, b = 2 * kScGeluRange;
  for (int i = 0; i < 80; ++i) {
    const double c = b - golden * (b - a), d = a + golden * (b - a);
    if (mae(c) < mae(d)) {
      b = d;
    } else {
      a = c;
    }
  }
  return (a + b) / 2;
}

constexpr int kFsmBits = 8;

/// The half stream: the top bit of select_generator(lfsr, 16), whose 8-bit register is
/// independent of the 16-bit operand LFSRs. (A toggle flip-flop locks step with Stanh when the
/// counter hovers at K/2, and a 1-bit LFSR has period 3.)
std::unique_ptr<NumberGenerator> half_generator() { return select_generator(SngKind::lfsr, 16); }

Bitstream half_stream(int length) {
  const auto r = half_generator()->sequence(length);
  Bitstream h(length);
  for (int t = 0; t < length; ++t) h.set(t, r[static_cast<std::size_t>(t)] >= 8);
  return h;
}

}  // namespace

FsmGelu::FsmGelu(int length)
    : GeluUnit("gelu:sc-fsm:L=" + std::to_string(length)), length_(length), range_(fit_fsm_range()) {
  const GeneratorPair pair = operand_generators(SngKind::lfsr, kFsmBits, length);
  const auto ra = pair.a->sequence(length), rb = pair.b->sequence(length);
  const Bitstream h = half_stream(length);
  for (int level = 0; level < (1 << kFsmBits); ++level) {
    const auto threshold = static_cast<std::uint32_t>(level);
    const Bitstream a = comparator_stream(threshold, ra), b = comparator_stream(threshold, rb);
    table_.push_back(mux(stanh_stream(a, kStates), b, h).count());
  }
}

int FsmGelu::input_level(double x) const {
  const long q = std::lround(std::clamp(x, -kScGeluRange, kScGeluRange) / range_ * 128.0);
  return static_cast<int>(std::clamp(q, -128L, 127L)) + 128;
}

double FsmGelu::apply(double x) const { return range_ * (2.0 * output_count(input_level(x)) / length_ - 1.0); }

Hardware FsmGelu::element_hardware() const {
  Hardware shared = operand_generators(SngKind::lfsr, kFsmBits, length_).hardware;
  shared += half_generator()->hardware();
  Hardware h = register_hardware(kFsmBits);
  h += comparator_hardware(kFsmBits);
  h += comparator_hardware(kFsmBits);
  h += stanh_hardware(kStates);
  Hardware mux;
  mux.mux2 = 1;
  h += mux;
  h += output_counter_hardware(length_);
  h += lane_share(shared, kScLanesPerGenerator);
  h.depth = shared.depth + comparator_hardware(kFsmBits).depth + stanh_hardware(kStates).depth + 0.5 +
            output_counter_hardware(length_).depth;
  h.cycles = length_;
  return h;
}

// ---- gelu:bernstein ------------------------------------------------------------------------

BernsteinGelu::BernsteinGelu(int length, int degree)
    : GeluUnit("gelu:bernstein:L=" + std::to_string(length) + ":d=" + std::to_string(degree)),
      circuit_(fit_bernstein(
                   [](double t) { return (exact_gelu(2 * kScGeluRange * t - kScGeluRange) - kLow) / (kHigh - kLow); },
                   degree),
               length) {
  for (int v = 0; v <= (1 << BernsteinCircuit::kBits); ++v) table_.push_back(circuit_.stream(v).count());
}

int BernsteinGelu::input_level(double x) const {
  const double t = (std::clamp(x, -kScGeluRange, kScGeluRange) + kScGeluRange) / (2 * kScGeluRange);
  return static_cast<int>(std::lround(t * (1 << BernsteinCircuit::kBits)));
}

double BernsteinGelu::apply(double x) const {
  return kLow + (kHigh - kLow) * output_count(input_level(x)) / circuit_.length();
}

Hardware BernsteinGelu::element_hardware() const {
  Hardware h = circuit_.lane_hardware();
  const double depth = h.depth + output_counter_hardware(circuit_.length()).depth;
  h += output_counter_hardware(circuit_.length());
  h.depth = depth;
  return h;
}

// ---- registry entries ----------------------------------------------------------------------

std::vector<NonlinearFamily> gelu_sc_families() {
  return {
      {"gelu",
       "sc",
       "ASCEND-style deterministic SC: unary input, bitonic sorter, selective interconnect with window gates",
       {{"L", "2..512 (default 32)",
         "output wires (thermometer code); the input code has the next power of two >= 2L"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<ScGelu>(int_param(spec, "L", kScMinLength, 512, 32));
       }},
      {"gelu",
       "sc-fsm",
       "SC baseline: x (1 + Stanh)/2 with an 8-state saturating counter on LFSR bipolar streams",
       {{"L", "2..4096 (default 64)", "stream length in cycles"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<FsmGelu>(int_param(spec, "L", kScMinLength, kScMaxLength, 64));
       }},
      {"gelu",
       "bernstein",
       "SC baseline: degree-d Bernstein polynomial (d LFSR input streams, a parallel counter and a MUX)",
       {{"L", "2..4096 (default 64)", "stream length in cycles"}, {"d", "2..10 (default 8)", "polynomial degree"}},
       [](const UnitSpec& spec) -> std::unique_ptr<NonlinearUnit> {
         return std::make_unique<BernsteinGelu>(int_param(spec, "L", kScMinLength, kScMaxLength, 64),
                                                int_param(spec, "d", 2, 10, 8));
       }},
  };
}

}  // namespace vitdse::arith

// A design's arithmetic on EfficientViT: the depthwise lookup loop against the LutGemm of its
// unfolded patches, and what quantising every convolution does to the fixtures' logits.
#include "vitdse/eval/conv_design_datapath.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <random>
#include <set>
#include <tuple>

#include "eval/design_quant.hpp"
#include "eval/synthetic_weights.hpp"
#include "test_util.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/quantiser.hpp"
#include "vitdse/arith/trio_transforms.hpp"
#include "vitdse/model/safetensors.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::eval {
namespace {

using test::test_data;
using Int32Matrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct DepthwiseCase {
  const char* unit;
  int channels, kernel, stride, side;
};

class DepthwiseLut : public ::testing::TestWithParam<DepthwiseCase> {};

// Channel c alone is a GEMM of the unfolded patches' c columns [pixels x k·k] with its k·k taps.
TEST_P(DepthwiseLut, EqualsEachChannelsLutGemmOverItsPatches) {
  const DepthwiseCase p = GetParam();
  const auto m = arith::make_multiplier(p.unit);
  const auto table = signed_code_table(*m, p.unit);
  const LutGemm gemm(table, arith::Width{m->bits(), true}, GemmPath::portable);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> code(-(1 << (m->bits() - 1)) + 1, (1 << (m->bits() - 1)) - 1);
  const int kk = p.kernel * p.kernel;
  std::vector<std::uint8_t> x(static_cast<std::size_t>(p.side) * p.side * p.channels),
      w(static_cast<std::size_t>(p.channels) * kk);
  for (auto& v : x) v = static_cast<std::uint8_t>(code(rng));
  for (auto& v : w) v = static_cast<std::uint8_t>(code(rng));
  FoldedConv c;
  c.in = c.out = c.groups = p.channels;
  c.kernel = p.kernel;
  c.stride = p.stride;
  const int out_side = conv_output_side(p.side, p.kernel, p.stride);
  const auto pixels = static_cast<std::size_t>(out_side) * out_side;
  Int32Matrix got(static_cast<Eigen::Index>(pixels), p.channels);
  depthwise_lut(x, p.side, p.side, w, c, table, m->bits(),
                Int32View(got.data(), pixels, static_cast<std::size_t>(p.channels)));

  // Unfold the codes as values (a code of 0 stands for a padded zero) and run one GEMM per channel.
  FeatureMap values{FloatMatrix(p.side * p.side, p.channels), p.side, p.side};
  for (std::size_t i = 0; i < x.size(); ++i)
    values.values.data()[i] = static_cast<float>(static_cast<std::int8_t>(x[i]));
  const FloatMatrix patches = unfold(values, c, out_side, out_side);  // [pixels x channels·k·k]
  for (int ch = 0; ch < p.channels; ++ch) {
    std::vector<std::uint8_t> a(pixels * static_cast<std::size_t>(kk));
    for (std::size_t r = 0; r < pixels; ++r) {
      for (int t = 0; t < kk; ++t) {
        a[r * static_cast<std::size_t>(kk) + t] =
            static_cast<std::uint8_t>(static_cast<int>(patches(static_cast<Eigen::Index>(r), ch * kk + t)));
      }
    }
    const auto packed =
        gemm.pack(CodeView(w.data() + static_cast<std::size_t>(ch) * kk, static_cast<std::size_t>(kk), 1));
    std::vector<std::int32_t> want(pixels);
    gemm.multiply(CodeView(a.data(), pixels, static_cast<std::size_t>(kk)), packed, Int32View(want.data(), pixels, 1));
    for (std::size_t r = 0; r < pixels; ++r)
      ASSERT_EQ(got(static_cast<Eigen::Index>(r), ch), want[r]) << "channel " << ch << " pixel " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Units, DepthwiseLut,
                         ::testing::Values(DepthwiseCase{"drum:8s:k=4", 16, 3, 1, 7},
                                           DepthwiseCase{"mitchell:8u", 12, 3, 2, 9},  // sign-magnitude table
                                           DepthwiseCase{"trunc:6s:t=4", 8, 5, 1, 6},
                                           DepthwiseCase{"exact:8s", 24, 3, 2, 8}));

/// The 28x28 fixture's engine, its images and the float model's logits on them.
struct Model {
  model::ModelCard card;
  model::Workload workload;
  EfficientVitEngine engine;
  model::Tensor input;
  FloatMatrix float_logits;
};

Model load_model(const test::TempDir& dir) {
  const std::string name = "efficientvit-32x32-random";
  const auto io = test_data(name + ".io.safetensors");
  test::write_synthetic_weights(dir.path() / "w.safetensors", test::fixture_keys(io));
  auto card = model::load_model_card(test_data(name + ".yaml"));
  EfficientVitEngine engine(card, load_efficientvit_weights(card, dir.path() / "w.safetensors"));
  model::Workload workload(card);
  auto input = model::SafetensorsFile(io).read_f32("input");
  FloatMatrix logits = engine.forward(input.data, 2);
  return {std::move(card), std::move(workload), std::move(engine), std::move(input), std::move(logits)};
}

double mean_abs(const FloatMatrix& a, const FloatMatrix& b) { return (a - b).cwiseAbs().mean(); }

FloatMatrix design_logits(const Model& m, const std::string& yaml, const ActivationSamples& samples) {
  const model::Design d = model::parse_design(yaml, "test design", m.workload);
  const ConvDesignDatapath dp(m.engine, m.workload, d, samples);
  return m.engine.forward(m.input.data, 2, &dp);
}

/// The design's quantisation in float: each layer's input fake-quantised per tensor and its
/// weights per output channel, calibrated as the design datapath calibrates them, then float
/// arithmetic. With an exact multiplier the integer datapath computes the same up to rounding.
/// With `trio`, Trio-ViT's transforms first, where the paper puts them: each depthwise input
/// channel divided by its migration ratio (its filter multiplied), each 1x1 input shifted by its
/// channels' midpoints (the bias given W m), from the calibration samples' extremes.
class FakeQuant final : public ConvDatapath {
 public:
  FakeQuant(const ActivationSamples& samples, const model::Workload& workload, int bits, bool trio = false)
      : samples_(samples), workload_(workload), bits_(bits), trio_(trio) {}

  void conv(const FeatureMap& x, const FoldedConv& layer, FeatureMap& out) const override {
    FoldedConv wq = layer;
    FeatureMap xt = x;
    std::vector<float> samples = samples_.samples.at(key(layer.layer, ".a"));
    Eigen::Map<FloatMatrix> rows(samples.data(), static_cast<Eigen::Index>(samples.size()) / layer.in, layer.in);
    if (trio_ && is_depthwise(layer)) {
      FloatMatrix extremes(2, layer.in);
      extremes << rows.colwise().minCoeff(), rows.colwise().maxCoeff();
      const auto r = arith::migration_ratios(extremes);
      for (int c = 0; c < layer.in; ++c) {
        xt.values.col(c) /= r[static_cast<std::size_t>(c)];
        rows.col(c) /= r[static_cast<std::size_t>(c)];
        wq.weight.row(c) *= r[static_cast<std::size_t>(c)];
      }
    } else if (trio_ && layer.kernel == 1) {
      const Eigen::RowVectorXf m = (rows.colwise().minCoeff() + rows.colwise().maxCoeff()) / 2.0f;
      const int group_in = layer.in / layer.groups, group_out = layer.out / layer.groups;
      for (int o = 0; o < layer.out; ++o) {
        const int g = o / group_out;
        wq.bias(o) += static_cast<float>(
            (layer.weight.row(o).cast<double>().array() * m.segment(g * group_in, group_in).cast<double>().array())
                .sum());
      }
      xt.values.rowwise() -= m;
      rows.rowwise() -= m;
    }
    xt.values = quantised(xt.values, samples);
    wq.weight = weights(wq.weight);
    conv2d(xt, wq, out);
  }
  void linear(int layer, const FloatMatrix& x, const Linear& w, FloatMatrix& out) const override {
    eval::linear(quantised(layer, ".a", x), Linear{weights(w.weight), w.bias}, out);
  }
  void matmul(int layer, MatrixRef a, MatrixRef b, FloatMatrix& out) const override {
    out = quantised(layer, ".a", a) * quantised(layer, ".b", b);
  }

 private:
  [[nodiscard]] std::string key(int layer, const char* operand) const {
    return workload_.layers()[static_cast<std::size_t>(layer)].name + operand;
  }
  [[nodiscard]] FloatMatrix quantised(int layer, const char* operand, MatrixRef m) const {
    return quantised(m, samples_.samples.at(key(layer, operand)));
  }
  [[nodiscard]] FloatMatrix quantised(MatrixRef m, std::span<const float> samples) const {
    arith::CalibrationOptions o;
    o.bits = bits_;
    const auto p = arith::calibrate(samples, o);
    FloatMatrix out = m;
    const auto values =
        arith::fake_quantise(std::span<const float>(out.data(), static_cast<std::size_t>(out.size())), p);
    std::copy(values.begin(), values.end(), out.data());
    return out;
  }
  [[nodiscard]] FloatMatrix weights(const FloatMatrix& w) const {
    arith::CalibrationOptions o;
    o.bits = bits_;
    o.granularity = arith::Granularity::per_row;
    return arith::fake_quantise(w, arith::calibrate(w, o));
  }

  const ActivationSamples& samples_;
  const model::Workload& workload_;
  int bits_;
  bool trio_;
};

TEST(ConvDesignDatapath, ExactProductsAreTheFakeQuantisedFloatModel) {
  const test::TempDir dir;
  const Model m = load_model(dir);
  // Calibrated on the two fixture images themselves (they are what the model is shown here).
  const auto samples = record_conv_samples(m.engine, m.input.data, 2);
  for (const auto& layer : m.workload.layers()) {
    if (layer.kind == model::OpKind::conv || layer.kind == model::OpKind::matmul) {
      EXPECT_TRUE(samples.samples.count(layer.name + ".a")) << layer.name;
    }
  }
  for (const int bits : {8, 6}) {
    const std::string b = std::to_string(bits);
    const FloatMatrix integer = design_logits(
        m, "version: 1\ndefaults: {mult: \"exact:" + b + "s\", wbits: " + b + ", abits: " + b + "}\n", samples);
    const FakeQuant fake(samples, m.workload, bits);
    const FloatMatrix reference = m.engine.forward(m.input.data, 2, &fake);
    const double error = mean_abs(reference, m.float_logits);
    EXPECT_GT(error, 0.0);  // quantised, not the float model
    EXPECT_LT(mean_abs(integer, reference), 0.05 * error) << bits << " bits: " << error;
  }
}

TEST(ConvDesignDatapath, ApproximateProductsRunInEveryLayerWithTheSameBitsOnAnyThreadCount) {
  const test::TempDir dir;
  const Model m = load_model(dir);
  const auto samples = record_conv_samples(m.engine, m.input.data, 2);
  const FloatMatrix w8 = design_logits(m, "version: 1\ndefaults: {}\n", samples);
  const FloatMatrix drum = design_logits(m, "version: 1\ndefaults: {mult: \"drum:8s:k=3\"}\n", samples);
  EXPECT_GT(mean_abs(drum, w8), 0.0);
  // Trio-ViT's log2 divider on LiteMLA's qkv_out.
  std::string log2 = "version: 1\ndefaults: {}\nlayers:\n";
  for (const auto& layer : m.workload.layers()) {
    if (layer.name.ends_with(".qkv_out")) log2 += "  " + layer.name + ": {divide: log2}\n";
  }
  EXPECT_GT(mean_abs(design_logits(m, log2, samples), w8), 0.0);
  const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  EXPECT_EQ(design_logits(m, "version: 1\ndefaults: {mult: \"drum:8s:k=3\"}\n", samples), drum);
}

/// Checks every convolution the engine runs through a design against a naive lookup-table
/// loop: the input's codes by the layer's calibrated parameters, each output the wrapped int32
/// sum of table[(a << n) + w] over its window (zero codes outside the map), times the input's
/// and the channel's weight scales, plus the bias, then Hardswish: the same bits.
class NaiveLutCheck final : public ConvDatapath {
 public:
  NaiveLutCheck(const ConvDesignDatapath& design, const ActivationSamples& samples, const model::Workload& workload,
                const std::string& unit, int bits)
      : design_(design), samples_(samples), workload_(workload), bits_(bits) {
    const auto m = arith::make_multiplier(unit);
    table_ = signed_code_table(*m, unit);
  }

  void conv(const FeatureMap& x, const FoldedConv& c, FeatureMap& out) const override {
    design_.conv(x, c, out);
    const auto& name = workload_.layers()[static_cast<std::size_t>(c.layer)].name;
    const auto a = detail::calibrated(samples_, name + ".a", bits_, {});
    const auto codes = detail::codes_of(x.values, a);
    const auto w = detail::quantise_weights(c.weight, bits_, model::WeightQuant::per_channel);
    const int group_in = c.in / c.groups, group_out = c.out / c.groups, k = c.kernel;
    const unsigned mask = (1U << bits_) - 1U;
    for (int n = 0; n < x.count; ++n) {
      for (int oy = 0; oy < out.height; ++oy) {
        for (int ox = 0; ox < out.width; ++ox) {
          for (int o = 0; o < c.out; ++o) {
            std::uint32_t acc = 0;
            const int g = o / group_out;
            for (int ci = 0; ci < group_in; ++ci) {
              for_each_tap(c, x.height, x.width, oy, ox, [&](int tap, Eigen::Index pixel) {
                const auto code = codes[static_cast<std::size_t>((n * x.pixels() + pixel) * c.in + g * group_in + ci)];
                const auto weight = w.codes[static_cast<std::size_t>((o * group_in + ci) * k * k + tap)];
                acc += static_cast<std::uint32_t>(table_[((code & mask) << bits_) + (weight & mask)]);
              });
            }
            // Rounded after the product, as the datapath's two array statements are (no fused
            // multiply-add).
            const volatile float scaled = static_cast<float>(static_cast<std::int32_t>(acc)) *
                                          (w.scales[static_cast<std::size_t>(o)] * a.scales[0]);
            float y = scaled + c.bias(o);
            if (c.hswish) y = y * std::min(std::max(y + 3.0f, 0.0f), 6.0f) / 6.0f;
            const float got = out.values(n * out.pixels() + static_cast<Eigen::Index>(oy) * out.width + ox, o);
            if (got != y) {
              ++mismatches;
              worst = std::max(worst, std::abs(static_cast<double>(got) - y));
            }
            ++outputs;
          }
        }
      }
    }
    kinds.insert({c.kernel, c.stride, c.groups == c.in && c.groups > 1 ? 0 : c.groups});
  }
  void linear(int layer, const FloatMatrix& x, const Linear& weights, FloatMatrix& out) const override {
    design_.linear(layer, x, weights, out);
  }
  void matmul(int layer, MatrixRef a, MatrixRef b, FloatMatrix& out) const override {
    design_.matmul(layer, a, b, out);
  }

  mutable std::size_t mismatches = 0, outputs = 0;
  mutable double worst = 0;
  mutable std::set<std::tuple<int, int, int>> kinds;  ///< (kernel, stride, groups; 0: depthwise)

 private:
  const ConvDesignDatapath& design_;
  const ActivationSamples& samples_;
  const model::Workload& workload_;
  int bits_;
  std::vector<std::int32_t> table_;
};

TEST(ConvDesignDatapath, EveryConvolutionKindIsTheNaiveLookupLoopBitForBit) {
  // 11 px (odd) to 6 to 3 to 2: the stem's dense 3x3 at stride 2, depthwise 3x3 at strides 1
  // and 2, LiteMLA's depthwise 3x3 and grouped 1x1, and plain 1x1 convolutions, on two images.
  const auto card = model::parse_model_card(
      "version: 1\nname: tiny-evit\nfamily: efficientvit\nimg_size: 11\nin_chans: 2\nnum_classes: 3\n"
      "stem: {width: 4, depth: 1}\nstages:\n  - {width: 6, depth: 1, block: mbconv, expand_ratio: 2}\n"
      "  - {width: 8, depth: 1, block: attention, expand_ratio: 2}\nhead_dim: 4\nscales: [3]\n"
      "head_widths: [12, 10]\nmean: [0.5, 0.5]\nstd: [0.25, 0.25]\n",
      "tiny-evit");
  const EfficientVitEngine engine(card, random_efficientvit_weights(card, 9));
  const model::Workload workload(card);
  std::mt19937 rng(4);
  std::normal_distribution<float> normal;
  std::vector<float> images(2 * 2 * 11 * 11);
  for (auto& v : images) v = normal(rng);
  const auto samples = record_conv_samples(engine, images, 2);
  for (const auto& [unit, bits] : {std::pair<std::string, int>{"drum:8s:k=4", 8}, {"trunc:6s:t=4", 6}}) {
    const auto design =
        model::parse_design("version: 1\ndefaults: {mult: \"" + unit + "\", wbits: " + std::to_string(bits) +
                                ", abits: " + std::to_string(bits) + "}\n",
                            "test", workload);
    const ConvDesignDatapath dp(engine, workload, design, samples);
    const NaiveLutCheck check(dp, samples, workload, unit, bits);
    (void)engine.forward(images, 2, &check);
    EXPECT_GT(check.outputs, 1000u) << unit;
    EXPECT_EQ(check.mismatches, 0u) << unit << " over " << check.outputs << " outputs, worst " << check.worst;
    const std::set<std::tuple<int, int, int>> wanted{{3, 2, 1}, {3, 1, 0}, {3, 2, 0}, {1, 1, 1}, {1, 1, 6}};
    for (const auto& kind : wanted) EXPECT_TRUE(check.kinds.count(kind)) << std::get<0>(kind) << std::get<2>(kind);
  }
}

TEST(ConvDesignDatapath, TrioTransformsAreTheFakeQuantisedFloatModelOnTransformedInputs) {
  const test::TempDir dir;
  const Model m = load_model(dir);
  const auto samples = record_conv_samples(m.engine, m.input.data, 2);
  const std::string exact = "version: 1\ndefaults: {mult: \"exact:6s\", wbits: 6, abits: 6";
  const FloatMatrix plain = design_logits(m, exact + "}\n", samples);
  const FloatMatrix trio = design_logits(m, exact + ", transform: migrate+shift}\n", samples);
  const FakeQuant fake(samples, m.workload, 6, true);
  const FloatMatrix reference = m.engine.forward(m.input.data, 2, &fake);
  const double error = mean_abs(reference, m.float_logits);
  EXPECT_LT(mean_abs(trio, reference), 0.05 * error);
  EXPECT_GT(mean_abs(trio, plain), 0.05 * error);  // the transforms changed the arithmetic
}

TEST(ConvDesignDatapath, PruningOnAnEfficientVitLayerIsRefusedNamingIt) {
  const test::TempDir dir;
  const Model m = load_model(dir);
  const auto samples = record_conv_samples(m.engine, m.input.data, 2);
  std::string yaml = "version: 1\ndefaults: {}\nlayers:\n";
  for (const auto& layer : m.workload.layers()) {
    if (layer.name.ends_with(".kv")) {
      yaml += "  " + layer.name + ": {token_keep: 0.5}\n";
      break;
    }
  }
  test::expect_one_line_error([&] { (void)design_logits(m, yaml, samples); },
                              "token_keep does not apply to layer 'stages.2.blocks.1.context_module.main.kv'");
}

}  // namespace
}  // namespace vitdse::eval

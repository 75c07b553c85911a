// A design's arithmetic on EfficientViT: the depthwise lookup loop against the LutGemm of its
// unfolded patches, and what quantising every convolution does to the fixtures' logits.
#include "vitdse/eval/conv_design_datapath.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <random>

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

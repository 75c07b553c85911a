// The EfficientViT engine: convolutions against a direct NCHW reference, batch-norm folding,
// the timm state-dict layout, and timm's own logits (tests/data/make_efficientvit_fixtures.py).
#include "vitdse/eval/efficientvit_engine.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <random>

#include "eval/synthetic_weights.hpp"
#include "test_util.hpp"
#include "vitdse/model/safetensors.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::eval {
namespace {

using test::test_data;

FloatMatrix random_matrix(Eigen::Index rows, Eigen::Index cols, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  FloatMatrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
  return m;
}

/// PyTorch's Conv2d by its definition, in double over an NCHW image, zero padding `pad`.
std::vector<double> reference_conv(const std::vector<double>& x, int h, int w, const FoldedConv& c, int pad, int& oh,
                                   int& ow) {
  const int k = c.kernel, in_per_group = c.in / c.groups, out_per_group = c.out / c.groups;
  oh = (h + 2 * pad - k) / c.stride + 1;
  ow = (w + 2 * pad - k) / c.stride + 1;
  std::vector<double> out(static_cast<std::size_t>(c.out) * oh * ow);
  for (int o = 0; o < c.out; ++o) {
    const int g = o / out_per_group;
    for (int y = 0; y < oh; ++y) {
      for (int xx = 0; xx < ow; ++xx) {
        double sum = c.bias(o);
        for (int ci = 0; ci < in_per_group; ++ci) {
          for (int ky = 0; ky < k; ++ky) {
            for (int kx = 0; kx < k; ++kx) {
              const int iy = y * c.stride + ky - pad, ix = xx * c.stride + kx - pad;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              sum += c.weight(o, (ci * k + ky) * k + kx) *
                     x[(static_cast<std::size_t>(g * in_per_group + ci) * h + iy) * w + ix];
            }
          }
        }
        out[(static_cast<std::size_t>(o) * oh + y) * ow + xx] = sum;
      }
    }
  }
  return out;
}

struct ConvCase {
  int in, out, kernel, stride, groups, side, pad;
};

class Conv2dReference : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2dReference, MatchesTheDirectDefinition) {
  const ConvCase p = GetParam();
  std::mt19937 rng(7);
  FoldedConv c{-1,
               p.in,
               p.out,
               p.kernel,
               p.stride,
               p.groups,
               random_matrix(p.out, p.in / p.groups * p.kernel * p.kernel, rng),
               random_matrix(1, p.out, rng),
               false};
  FeatureMap x{random_matrix(p.side * p.side, p.in, rng), p.side, p.side};
  std::vector<double> nchw(static_cast<std::size_t>(p.in) * p.side * p.side);
  for (int ch = 0; ch < p.in; ++ch) {
    for (int i = 0; i < p.side * p.side; ++i)
      nchw[static_cast<std::size_t>(ch) * p.side * p.side + i] = x.values(i, ch);
  }
  int oh = 0, ow = 0;
  const auto want = reference_conv(nchw, p.side, p.side, c, p.pad, oh, ow);
  FeatureMap got;
  conv2d(x, c, got);
  ASSERT_EQ(got.height, oh);
  ASSERT_EQ(got.width, ow);
  EXPECT_EQ(conv_output_side(p.side, p.kernel, p.stride), oh);
  double worst = 0;
  for (int o = 0; o < p.out; ++o) {
    for (int i = 0; i < oh * ow; ++i) {
      worst = std::max(worst, std::abs(got.values(i, o) - want[static_cast<std::size_t>(o) * oh * ow + i]));
    }
  }
  EXPECT_LT(worst, 2e-5);
}

// timm's padding is ((stride - 1) + (kernel - 1)) / 2: 1 for 3x3 at either stride, 2 for 5x5.
INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dReference,
                         ::testing::Values(ConvCase{3, 8, 3, 2, 1, 9, 1},      // the stem, odd side
                                           ConvCase{8, 8, 3, 1, 8, 7, 1},      // depthwise
                                           ConvCase{12, 12, 3, 2, 12, 7, 1},   // strided depthwise, 7 -> 4
                                           ConvCase{24, 24, 5, 1, 24, 6, 2},   // LiteMLA's aggregation
                                           ConvCase{24, 24, 1, 1, 6, 5, 0},    // grouped 1x1
                                           ConvCase{16, 40, 1, 1, 1, 4, 0}));  // pointwise

TEST(FoldBatchNorm, EqualsTheConvolutionThenTheNorm) {
  std::mt19937 rng(3);
  ConvLayer layer;
  layer.in = 4;
  layer.out = 6;
  layer.kernel = 3;
  layer.weight = random_matrix(6, 4 * 9, rng);
  layer.bias = random_matrix(1, 6, rng);
  BatchNorm n{random_matrix(1, 6, rng), random_matrix(1, 6, rng), random_matrix(1, 6, rng),
              (random_matrix(1, 6, rng).array() + 1.5f).matrix()};
  layer.norm = n;
  const double eps = 1e-5;
  FeatureMap x{random_matrix(25, 4, rng), 5, 5}, plain, folded;
  ConvLayer bare = layer;
  bare.norm.reset();
  conv2d(x, fold(bare, eps), plain);
  conv2d(x, fold(layer, eps), folded);
  for (Eigen::Index i = 0; i < plain.values.rows(); ++i) {
    for (int o = 0; o < 6; ++o) {
      const double want = (plain.values(i, o) - n.mean(o)) / std::sqrt(n.var(o) + eps) * n.gamma(o) + n.beta(o);
      EXPECT_NEAR(folded.values(i, o), want, 1e-5);
    }
  }
}

TEST(Hardswish, IsPiecewiseAsDefined) {
  FloatMatrix x(1, 6);
  x << -4.0f, -3.0f, -1.5f, 0.0f, 1.5f, 4.0f;
  hardswish(x);
  const float want[] = {0.0f, 0.0f, -1.5f * 1.5f / 6.0f, 0.0f, 1.5f * 4.5f / 6.0f, 4.0f};
  for (int i = 0; i < 6; ++i) EXPECT_FLOAT_EQ(x(0, i), want[i]);
}

TEST(EfficientVitWeights, ParametersAreTheWorkloadsAndB1IsTimmsSize) {
  for (const char* card_name : {"efficientvit-b1", "efficientvit-32x32-random"}) {
    const auto card = model::load_model_card(
        std::string(card_name) == "efficientvit-b1" ? card_name : test_data(std::string(card_name) + ".yaml"));
    const auto w = efficientvit_weights_for(card);
    EXPECT_EQ(w.parameter_count(), model::Workload(card).params()) << card_name;
  }
  // Cai et al. (ICCV 2023) and timm's model card: EfficientViT-B1, 9.1M parameters.
  EXPECT_NEAR(
      static_cast<double>(efficientvit_weights_for(model::load_model_card("efficientvit-b1")).parameter_count()), 9.1e6,
      0.05e6);
}

TEST(EfficientVitWeights, BadFilesGetOneLineNamingTheTensor) {
  const auto card = model::load_model_card(test_data("efficientvit-28x28-random.yaml"));
  EfficientVitWeights w = efficientvit_weights_for(card);
  test::Shapes keys;
  for (const auto& t : weight_tensors(w, card)) keys[t.name] = t.shape;
  const test::TempDir dir;
  auto full = keys;
  test::write_synthetic_weights(dir.path() / "ok.safetensors", full);
  EXPECT_NO_THROW((void)load_efficientvit_weights(card, dir.path() / "ok.safetensors"));

  auto missing = keys;
  missing.erase("stages.2.blocks.1.context_module.main.aggreg.0.1.weight");
  test::write_synthetic_weights(dir.path() / "missing.safetensors", missing);
  test::expect_one_line_error([&] { (void)load_efficientvit_weights(card, dir.path() / "missing.safetensors"); },
                              "missing tensor 'stages.2.blocks.1.context_module.main.aggreg.0.1.weight'");

  auto misshapen = keys;
  misshapen["head.classifier.4.weight"] = {10, 81};
  test::write_synthetic_weights(dir.path() / "misshapen.safetensors", misshapen);
  test::expect_one_line_error(
      [&] { (void)load_efficientvit_weights(card, dir.path() / "misshapen.safetensors"); },
      "tensor 'head.classifier.4.weight' has shape [10, 81]; model 'efficientvit-28x28-random' needs "
      "[10, 80]");

  auto no_norm = keys;  // a batch norm without its running variance
  no_norm.erase("stages.0.blocks.0.main.point_conv.norm.running_var");
  test::write_synthetic_weights(dir.path() / "no-norm.safetensors", no_norm);
  test::expect_one_line_error([&] { (void)load_efficientvit_weights(card, dir.path() / "no-norm.safetensors"); },
                              "missing tensor 'stages.0.blocks.0.main.point_conv.norm.running_var'");

  auto depthwise = keys;  // a depthwise filter of 5x5 where the card's is 3x3
  auto& filter = depthwise["stages.1.blocks.0.main.depth_conv.conv.weight"];
  filter = {filter[0], 1, 5, 5};
  test::write_synthetic_weights(dir.path() / "depthwise.safetensors", depthwise);
  test::expect_one_line_error(
      [&] { (void)load_efficientvit_weights(card, dir.path() / "depthwise.safetensors"); },
      "tensor 'stages.1.blocks.0.main.depth_conv.conv.weight' has shape [" + std::to_string(filter[0]) + ", 1, 5, 5]");

  auto extra = keys;
  extra["stages.0.blocks.1.main.point_conv.conv.weight"] = {16, 64, 1, 1};
  test::write_synthetic_weights(dir.path() / "extra.safetensors", extra);
  test::expect_one_line_error([&] { (void)load_efficientvit_weights(card, dir.path() / "extra.safetensors"); },
                              "unexpected tensor 'stages.0.blocks.1.main.point_conv.conv.weight'");

  auto counted = keys;
  counted["stem.in_conv.norm.num_batches_tracked"] = {};
  test::write_synthetic_weights(dir.path() / "counted.safetensors", counted);
  EXPECT_NO_THROW((void)load_efficientvit_weights(card, dir.path() / "counted.safetensors"));

  test::expect_one_line_error([&] { (void)efficientvit_weights_for(model::load_model_card("deit-tiny")); },
                              "EfficientViT weights need a 'family: efficientvit' card");
}

/// A fixture of make_efficientvit_fixtures.py with its card and its synthetic weights on disk.
struct TimmFixture {
  model::ModelCard card;
  test::Shapes keys;
  model::SafetensorsFile io;
  std::filesystem::path weights;
};

TimmFixture load_timm_fixture(const std::string& name, const test::TempDir& dir) {
  const auto io = test_data(name + ".io.safetensors");
  TimmFixture f{model::load_model_card(test_data(name + ".yaml")), test::fixture_keys(io), model::SafetensorsFile(io),
                dir.path() / (name + ".safetensors")};
  test::write_synthetic_weights(f.weights, f.keys);
  return f;
}

float max_abs_difference(const float* a, const std::vector<float>& b) {
  float worst = 0;
  for (std::size_t i = 0; i < b.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

class EfficientVitTimm : public ::testing::TestWithParam<const char*> {};

TEST_P(EfficientVitTimm, StateDictKeysAreTimms) {
  const test::TempDir dir;
  TimmFixture f = load_timm_fixture(GetParam(), dir);
  EfficientVitWeights w = efficientvit_weights_for(f.card);
  test::Shapes ours;
  for (const auto& t : weight_tensors(w, f.card)) ours[t.name] = t.shape;
  EXPECT_EQ(ours, f.keys);
}

TEST_P(EfficientVitTimm, LogitsAndStageOutputsMatchTimmWithin1e4) {
  const test::TempDir dir;
  TimmFixture f = load_timm_fixture(GetParam(), dir);
  const EfficientVitEngine engine(f.card, load_efficientvit_weights(f.card, f.weights));
  const model::Tensor input = f.io.read_f32("input"), want = f.io.read_f32("logits");
  const int batch = static_cast<int>(input.shape[0]);
  const FloatMatrix logits = engine.forward(input.data, batch);
  ASSERT_EQ(logits.rows() * logits.cols(), want.numel());
  EXPECT_LE(max_abs_difference(logits.data(), want.data), 1e-4f) << GetParam();

  // timm's NCHW maps of the first image against the engine's channels-last ones.
  const auto stages = engine.stage_outputs(std::span<const float>(input.data).first(engine.image_size()));
  for (std::size_t s = 0; s < stages.size(); ++s) {
    const std::string name = s == 0 ? "stem" : "stages." + std::to_string(s - 1);
    if (!f.io.contains(name)) continue;
    const model::Tensor t = f.io.read_f32(name);
    const FeatureMap& m = stages[s];
    ASSERT_EQ(t.shape, (std::vector<std::int64_t>{batch, m.values.cols(), m.height, m.width})) << name;
    const FloatMatrix nchw = m.values.transpose();
    EXPECT_LE(max_abs_difference(nchw.data(), std::vector<float>(t.data.begin(), t.data.begin() + nchw.size())), 1e-4f)
        << GetParam() << " " << name;
  }
}

TEST(EfficientVitEngine, ThreadCountDoesNotChangeTheLogits) {
  const test::TempDir dir;
  TimmFixture f = load_timm_fixture("efficientvit-32x32-random", dir);
  const EfficientVitEngine engine(f.card, load_efficientvit_weights(f.card, f.weights));
  const model::Tensor input = f.io.read_f32("input");
  const FloatMatrix all = engine.forward(input.data, 2);
  const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
  EXPECT_EQ(engine.forward(input.data, 2), all);
  test::expect_one_line_error([&] { (void)engine.forward(std::span<const float>(input.data).first(100), 1); },
                              "takes images of 3072 floats (3x32x32); got 100 floats");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EfficientVitTimm,
                         ::testing::Values("efficientvit-b1-random", "efficientvit-32x32-random",
                                           "efficientvit-28x28-random"));

}  // namespace
}  // namespace vitdse::eval

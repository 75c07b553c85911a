// The design datapath: lookup-table semantics layer by layer, and effects in the right direction.
#include "vitdse/eval/design_datapath.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>

#include "test_util.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/cpu_evaluator.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::eval {
namespace {

using test::test_data;

struct Bench {  // the fixture model, its float logits and calibration samples
  model::ModelCard card = model::load_model_card(test_data("vit-28x28-random.yaml"));
  model::Workload workload{card};
  VitEngine engine{card, load_vit_weights(card)};
  model::Tensor input = model::SafetensorsFile(test_data("vit-28x28-random.io.safetensors")).read_f32("input");
  int batch = static_cast<int>(input.shape[0]);
  ActivationSamples samples = ActivationSamples::record(engine, input.data, batch);
  FloatMatrix reference = engine.forward(input.data, batch);

  [[nodiscard]] model::Design design(const std::string& defaults) const {
    return model::parse_design("version: 1\ndefaults: {" + defaults + "}\n", "test.yaml", workload);
  }
  /// Mean squared difference of the design's logits from the float model's.
  [[nodiscard]] double logit_mse(const std::string& defaults) const {
    const DesignDatapath dp(engine, workload, design(defaults), samples);
    return (engine.forward(input.data, batch, &dp) - reference).squaredNorm() / static_cast<double>(reference.size());
  }
};

const Bench& setup() {
  static const Bench s;
  return s;
}

TEST(DesignDatapath, LinearLayersAreTheNaiveLookupTableLoop) {
  const Bench& s = setup();
  for (const std::string spec : {"exact:8s", "drum:8s:k=4", "mitchell:8u", "sc:8s:L=64"}) {
    const DesignDatapath dp(s.engine, s.workload, s.design("mult: \"" + spec + "\", wbits: 8, abits: 7"), s.samples);
    const auto unit = arith::make_multiplier(spec);
    const Linear& fc1 = s.engine.weights().blocks[1].fc1;
    FloatMatrix x = FloatMatrix::Random(13, fc1.weight.cols());
    FloatMatrix out;
    dp.linear(Site{1, Op::fc1}, x, fc1, out);

    // Independently: the same quantisers, then sum of mul() over k in int32.
    arith::CalibrationOptions a_opt;
    a_opt.bits = 7;
    const auto a = arith::calibrate(std::span<const float>(s.samples.samples.at("blocks.1.mlp.fc1.a")), a_opt);
    arith::CalibrationOptions w_opt;
    w_opt.granularity = arith::Granularity::per_row;
    const auto w = arith::calibrate(fc1.weight, w_opt);
    const arith::CodeMatrix wq = arith::quantise(fc1.weight, w);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      for (Eigen::Index j = 0; j < fc1.weight.rows(); ++j) {
        std::int32_t acc = 0;
        for (Eigen::Index k = 0; k < x.cols(); ++k) {
          const std::int64_t qa = arith::quantise_value(x(i, k), a);
          const std::int64_t qw = wq(j, k);
          const std::int64_t p = unit->is_signed()
                                     ? unit->mul(qa, qw)
                                     : ((qa < 0) != (qw < 0) ? -1 : 1) * unit->mul(std::abs(qa), std::abs(qw));
          acc = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(p));
        }
        const float expected =
            static_cast<float>(acc) * (w.scales[static_cast<std::size_t>(j)] * a.scales[0]) + fc1.bias(j);
        // The int32 sums must agree exactly: one unit of acc moves the result by a whole step,
        // far more than the last-place rounding that scaling may differ by.
        const float step = w.scales[static_cast<std::size_t>(j)] * a.scales[0];
        ASSERT_NEAR(out(i, j), expected, 0.25f * step) << spec << " at " << i << "," << j;
      }
    }
  }
}

TEST(DesignDatapath, EightBitExactIsCloseToFloat) {
  const Bench& s = setup();
  const double signal = s.reference.squaredNorm() / static_cast<double>(s.reference.size());
  EXPECT_LT(s.logit_mse("mult: \"exact:8s\""), 1e-3 * signal);
}

TEST(DesignDatapath, CoarserArithmeticMovesFurtherFromFloat) {
  const Bench& s = setup();
  const auto decreasing = [](const std::vector<double>& v) {
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (!(v[i] < v[i - 1])) return false;
    }
    return true;
  };
  std::vector<double> bits, trunc, sc, keep, ffn2;
  for (const int b : {4, 6, 8})
    bits.push_back(s.logit_mse("wbits: " + std::to_string(b) + ", abits: " + std::to_string(b)));
  for (const int t : {10, 6, 2}) trunc.push_back(s.logit_mse("mult: \"trunc:8s:t=" + std::to_string(t) + "\""));
  // Sign-magnitude unipolar SC: zero codes give empty streams, so errors shrink with L. Bipolar
  // streams with shared LFSRs carry a fixed error per operand pair (zero included) that adds up
  // coherently over K, and on this model are not monotone in L below the LFSR's period.
  for (const int l : {16, 64, 256})
    sc.push_back(s.logit_mse("mult: \"sc:8s:enc=unipolar:L=" + std::to_string(l) + "\""));
  for (const char* k : {"0.3", "0.6", "0.9"}) keep.push_back(s.logit_mse(std::string("token_keep: ") + k));
  for (const char* p : {"0.8", "0.5", "0.2"}) ffn2.push_back(s.logit_mse(std::string("ffn2_prune: ") + p));
  const std::map<std::string, const std::vector<double>*> series{
      {"bits", &bits}, {"trunc", &trunc}, {"sc", &sc}, {"token_keep", &keep}, {"ffn2_prune", &ffn2}};
  for (const auto& [name, v] : series) {
    EXPECT_TRUE(decreasing(*v)) << name << ": " << (*v)[0] << " " << (*v)[1] << " " << (*v)[2];
  }
}

TEST(DesignDatapath, PerTensorWeightsMoveFurtherFromFloatThanPerChannel) {
  // Random weights have rows of alike ranges, so this needs trained ones (and real images).
  if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto card = model::load_model_card("vit-fmnist");
  const model::Workload workload(card);
  EvalOptions options;
  options.images = 200;
  options.calibration_images = 16;
  const CpuEvaluator evaluator(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  const auto mse = [&](const std::string& d) {
    return evaluator.evaluate(model::parse_design("defaults: {" + d + "}", "d.yaml", workload), workload).logit_mse;
  };
  for (const int bits : {4, 6}) {
    const std::string w = "wbits: " + std::to_string(bits);
    EXPECT_GT(mse(w + ", wquant: per-tensor"), mse(w)) << bits;
  }
}

TEST(DesignDatapath, TrioTransformsHelpLowBitInputs) {
  const Bench& s = setup();
  const double signal = s.reference.squaredNorm() / static_cast<double>(s.reference.size());
  // Folded into bias and weights, the transforms leave the layer as it was: at 8 bits the
  // design stays as close to float as without them.
  EXPECT_LT(s.logit_mse("transform: migrate+shift"), 1e-3 * signal);
  const double plain = s.logit_mse("abits: 4");
  EXPECT_LT(s.logit_mse("abits: 4, transform: migrate"), plain);
  EXPECT_LT(s.logit_mse("abits: 4, transform: migrate+shift"), plain);
}

TEST(DesignDatapath, StaticFfn2PruningDropsTheSameWeakestColumnsForEveryToken) {
  const Bench& s = setup();
  const DesignDatapath dp(s.engine, s.workload, s.design("ffn2_prune: 0.5, ffn2_mode: static"), s.samples);
  EXPECT_EQ(dp.ffn2_prune(0), 0.0);  // nothing left for the engine to prune per token
  const Linear& fc2 = s.engine.weights().blocks[0].fc2;
  const auto hidden = static_cast<int>(fc2.weight.cols());
  std::vector<int> order(static_cast<std::size_t>(hidden));
  std::iota(order.begin(), order.end(), 0);
  const Eigen::RowVectorXf norm = fc2.weight.colwise().norm();
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return norm(a) > norm(b); });
  const int kept = (hidden + 1) / 2;
  FloatMatrix weak = FloatMatrix::Zero(4, hidden), strong = weak;
  for (int i = 0; i < hidden; ++i) {
    (i < kept ? strong : weak).col(order[static_cast<std::size_t>(i)]).setConstant(0.5f);
  }
  FloatMatrix out;
  dp.linear(Site{0, Op::fc2}, weak, fc2, out);
  for (Eigen::Index r = 0; r < out.rows(); ++r) EXPECT_EQ(out.row(r), fc2.bias) << r;  // every product is 0
  dp.linear(Site{0, Op::fc2}, strong, fc2, out);
  EXPECT_GT((out.rowwise() - fc2.bias).norm(), 0.0f);
  // Dynamic pruning, chosen per token by the activations, stays closer to float.
  EXPECT_GT(s.logit_mse("ffn2_prune: 0.5, ffn2_mode: static"), s.logit_mse("ffn2_prune: 0.5"));
}

TEST(DesignDatapath, Log2ProbabilitiesShiftTheValueCodes) {
  const Bench& s = setup();
  const DesignDatapath dp(s.engine, s.workload, s.design("softmax: \"softmax:log2\", abits: 6"), s.samples);
  const int tokens = 11, hd = 8;
  FloatMatrix p = FloatMatrix::Random(tokens, tokens) * 4.0f;
  dp.softmax(0, p);
  const FloatMatrix v = FloatMatrix::Random(tokens, hd);
  FloatMatrix out(tokens, hd);
  dp.mix(0, p, v, out);
  // Independently: the same value quantiser, then sum_j p_j * code_j, with every p_j a power of two.
  arith::CalibrationOptions o;
  o.bits = 6;
  const auto q = arith::calibrate(std::span<const float>(s.samples.samples.at("blocks.0.attn.av.b")), o);
  for (int i = 0; i < tokens; ++i) {
    for (int c = 0; c < hd; ++c) {
      double sum = 0;
      for (int j = 0; j < tokens; ++j) {
        int exponent = 0;
        ASSERT_TRUE(p(i, j) == 0.0f || std::frexp(p(i, j), &exponent) == 0.5f) << p(i, j);
        sum += static_cast<double>(p(i, j)) * static_cast<double>(arith::quantise_value(v(j, c), q));
      }
      EXPECT_EQ(out(i, c), static_cast<float>(sum * static_cast<double>(q.scales[0]))) << i << "," << c;
    }
  }
}

TEST(DesignDatapath, Log2DividerRoundsDenominatorsToClampedPowersOfTwo) {
  const auto card = model::load_model_card("vit-fmnist-linear");
  const model::Workload workload(card);
  const VitEngine engine(card, load_vit_weights(card));
  const Bench& s = setup();  // its input has this model's image shape
  const auto samples = ActivationSamples::record(engine, s.input.data, s.batch);
  const auto design = [&](const std::string& d) { return model::parse_design("defaults: {" + d + "}", "d", workload); };
  const DesignDatapath exact(engine, workload, design("divide: exact"), samples);
  const DesignDatapath shifted(engine, workload, design("divide: log2"), samples);
  Eigen::ArrayXf den(5), same(5);
  den << 1e-9f, 0.3f, 3.0f, 1000.0f, 0.0f;
  same = den;
  exact.denominators(0, same);
  EXPECT_TRUE((same == den).all());
  shifted.denominators(1, den);
  Eigen::ArrayXf expected(5);
  expected << 0.015625f, 0.25f, 4.0f, 512.0f, 0.015625f;  // 2^-6 .. 2^9
  EXPECT_TRUE((den == expected).all()) << den.transpose();
}

TEST(DesignDatapath, OperandsWiderThanTheUnitAreRejected) {
  const Bench& s = setup();
  try {
    const DesignDatapath dp(s.engine, s.workload, s.design("mult: \"drum:6s:k=4\", wbits: 8"), s.samples);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("uses 8-bit operands on the 6-bit multiplier"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vitdse::eval

// The float engine against timm's own logits (fixtures from tests/data/make_timm_fixtures.py).
#include "vitdse/eval/vit_engine.hpp"

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/model/safetensors.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::eval {
namespace {

using test::test_data;

struct Fixture {
  model::ModelCard card;
  model::Tensor input, logits;
};

Fixture load_fixture(const std::string& name) {
  Fixture f{model::load_model_card(test_data(name + ".yaml")), {}, {}};
  const model::SafetensorsFile io(test_data(name + ".io.safetensors"));
  f.input = io.read_f32("input");
  f.logits = io.read_f32("logits");
  return f;
}

class TimmConformance : public ::testing::TestWithParam<const char*> {};

TEST_P(TimmConformance, LogitsMatchTimmWithin1e4) {
  const Fixture f = load_fixture(GetParam());
  const VitEngine engine(f.card, load_vit_weights(f.card));
  const int batch = static_cast<int>(f.input.shape[0]);
  const FloatMatrix logits = engine.forward(f.input.data, batch);
  ASSERT_EQ(logits.rows(), f.logits.shape[0]);
  ASSERT_EQ(logits.cols(), f.logits.shape[1]);
  float worst = 0;
  for (Eigen::Index i = 0; i < logits.size(); ++i) {
    worst = std::max(worst, std::abs(logits.data()[i] - f.logits.data[static_cast<std::size_t>(i)]));
  }
  EXPECT_LE(worst, 1e-4f) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TimmConformance, ::testing::Values("vit-28x28-random", "deit-tiny-2blocks-random"));

TEST(VitEngine, ThreadCountDoesNotChangeTheLogitsAndBatchingOnlyRounds) {
  const Fixture f = load_fixture("vit-28x28-random");
  const VitEngine engine(f.card, load_vit_weights(f.card));
  const int batch = static_cast<int>(f.input.shape[0]);
  const FloatMatrix all = engine.forward(f.input.data, batch);
  {
    const tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    EXPECT_EQ(engine.forward(f.input.data, batch), all);
  }
  // GEMM blocking depends on the row count, so an image alone may round differently.
  for (int i = 0; i < batch; ++i) {
    const std::span<const float> one(f.input.data.data() + engine.image_size() * static_cast<std::size_t>(i),
                                     engine.image_size());
    EXPECT_LE((engine.forward(one, 1) - all.row(i)).cwiseAbs().maxCoeff(), 1e-5f) << i;
  }
}

TEST(VitEngine, RejectsInputsOfTheWrongSize) {
  const Fixture f = load_fixture("vit-28x28-random");
  const VitEngine engine(f.card, random_vit_weights(f.card, 1));
  try {
    (void)engine.forward(std::span<const float>(f.input.data).first(100), 1);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("784 floats"), std::string::npos) << e.what();
  }
}

/// The float datapath with the given pruning in every block.
class Pruning final : public Datapath {
 public:
  Pruning(double keep, double prune) : keep_(keep), prune_(prune) {}
  [[nodiscard]] double token_keep(int /*block*/) const override { return keep_; }
  [[nodiscard]] double ffn2_prune(int /*block*/) const override { return prune_; }

 private:
  double keep_, prune_;
};

TEST(VitEngine, PruningThatKeepsEverythingChangesNothingAndHarderPruningMovesFurther) {
  const Fixture f = load_fixture("vit-28x28-random");
  const VitEngine engine(f.card, load_vit_weights(f.card));
  const int batch = static_cast<int>(f.input.shape[0]);
  const FloatMatrix reference = engine.forward(f.input.data, batch);
  // ceil(0.999 * 49) = 49 patch tokens and ceil(0.999 * 256) = 256 hidden units: all kept.
  const Pruning keep_all(0.999, 0.001);
  EXPECT_EQ(engine.forward(f.input.data, batch, &keep_all), reference);
  double previous = 0;
  for (const double keep : {0.9, 0.6, 0.3}) {
    const Pruning p(keep, 0.0);
    const double distance = (engine.forward(f.input.data, batch, &p) - reference).norm();
    EXPECT_GT(distance, previous) << keep;
    previous = distance;
  }
  previous = 0;
  for (const double prune : {0.2, 0.5, 0.8}) {
    const Pruning p(1.0, prune);
    const double distance = (engine.forward(f.input.data, batch, &p) - reference).norm();
    EXPECT_GT(distance, previous) << prune;
    previous = distance;
  }
}

}  // namespace
}  // namespace vitdse::eval

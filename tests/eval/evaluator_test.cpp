// The evaluator interface: the factory by device, and devices by name.
#include "vitdse/eval/evaluator.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.hpp"
#include "vitdse/eval/cpu_evaluator.hpp"

namespace vitdse::eval {
namespace {

TEST(Evaluator, TheFactoryOnTheCpuIsTheCpuEvaluator) {
  if (!std::filesystem::exists(test::kFashionMnist)) GTEST_SKIP() << "no dataset-fashion-mnist";
  const auto card = model::load_model_card(test::test_data("vit-28x28-random.yaml"));
  const model::Workload workload(card);
  EvalOptions options;
  options.images = 16;
  options.calibration_images = 8;
  const auto made = make_evaluator(card, load_vit_weights(card), resolve_dataset(card, {}), options, Device::cpu);
  const CpuEvaluator direct(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  EXPECT_EQ(made->device(), Device::cpu);
  EXPECT_NE(dynamic_cast<const CpuEvaluator*>(made.get()), nullptr);
  EXPECT_EQ(made->fingerprint(), direct.fingerprint());
  const auto design = model::parse_design("defaults: {mult: \"drum:8s:k=4\"}", "d.yaml", workload);
  EXPECT_EQ(made->evaluate(design, workload).kl_mean, direct.evaluate(design, workload).kl_mean);
}

TEST(Evaluator, DevicesByNameAndAnUnknownOneNamesWhatThisBuildHas) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu);
  EXPECT_EQ(to_string(Device::cpu), "cpu");
  const std::string message = test::error_of([] { (void)parse_device("cuda"); });
  EXPECT_TRUE(test::one_line(message + "\n")) << message;
  EXPECT_NE(message.find("'cuda'"), std::string::npos) << message;
  EXPECT_NE(message.find("cpu"), std::string::npos) << message;
}

}  // namespace
}  // namespace vitdse::eval

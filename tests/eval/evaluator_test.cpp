// The evaluator interface: the factory by device, and devices by name.
#include "vitdse/eval/evaluator.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
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
  const auto made = make_evaluator(card, load_vit_weights(card), resolve_dataset(card, {}), options, Device::cpu());
  const CpuEvaluator direct(card, load_vit_weights(card), resolve_dataset(card, {}), options);
  EXPECT_EQ(made->device(), Device::cpu());
  EXPECT_NE(dynamic_cast<const CpuEvaluator*>(made.get()), nullptr);
  EXPECT_EQ(made->fingerprint(), direct.fingerprint());
  const auto design = model::parse_design("defaults: {mult: \"drum:8s:k=4\"}", "d.yaml", workload);
  EXPECT_EQ(made->evaluate(design, workload).kl_mean, direct.evaluate(design, workload).kl_mean);
}

TEST(Evaluator, DevicesByNameAndAMalformedOneIsAUsageError) {
  EXPECT_EQ(parse_device("cpu"), Device::cpu());
  EXPECT_EQ(to_string(Device::cpu()), "cpu");
  EXPECT_EQ(to_string(Device::cuda(3)), "cuda:3");
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:123456789", "CPU"}) {
    try {
      (void)parse_device(bad);
      ADD_FAILURE() << bad << " parsed";
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), 2) << bad;
      EXPECT_TRUE(test::one_line(std::string(e.what()) + "\n")) << e.what();
      EXPECT_NE(std::string(e.what()).find("cpu, cuda or cuda:N"), std::string::npos) << e.what();
    }
  }
}

TEST(Evaluator, AGpuThisMachineCannotUseIsAUsageErrorSayingWhy) {
  // cuda:63 is past every GPU of a machine; cuda:0 too where there is none or no CUDA build.
  for (const int index : {0, 63}) {
    const std::string why = device_unavailable(Device::cuda(index));
    if (why.empty()) {
      EXPECT_EQ(parse_device("cuda:" + std::to_string(index)), Device::cuda(index));
      continue;
    }
    try {
      (void)parse_device(index == 0 ? "cuda" : "cuda:63");
      ADD_FAILURE() << "cuda:" << index << " parsed although: " << why;
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), 2);
      EXPECT_EQ(std::string(e.what()), "--device cuda:" + std::to_string(index) + ": " + why);
      EXPECT_TRUE(test::one_line(std::string(e.what()) + "\n")) << e.what();
    }
  }
  EXPECT_NE(device_unavailable(Device::cuda(63)), "");
}

}  // namespace
}  // namespace vitdse::eval

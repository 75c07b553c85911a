// Nonlinear units: accuracy against the exact functions, published properties, costs, specs.
#include "vitdse/arith/nonlinear.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "vitdse/arith/nonlinear_error.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/cost/technology.hpp"

namespace vitdse::arith {

TEST(Nonlinear, RegistryListsEveryVariant) {
  EXPECT_EQ(nonlinear_specs("gelu"),
            (std::vector<std::string>{"gelu:bernstein:L=64:d=8", "gelu:exact", "gelu:ibert:bits=8:range=4", "gelu:relu",
                                      "gelu:sc:L=32", "gelu:sc-fsm:L=64", "gelu:tanh"}));
  EXPECT_EQ(nonlinear_specs("softmax"),
            (std::vector<std::string>{"softmax:exact", "softmax:iter:k=3", "softmax:linear-relu", "softmax:log2:bits=4",
                                      "softmax:sc:L=64", "softmax:shiftmax:bits=8:obits=8:range=8"}));
  EXPECT_EQ(nonlinear_specs("layernorm"), (std::vector<std::string>{"layernorm:exact", "layernorm:int:bits=8"}));
}

TEST(Nonlinear, ExactGeluIsTheErfForm) {
  const auto g = make_gelu("gelu:exact");
  EXPECT_DOUBLE_EQ(g->apply(0), 0);
  EXPECT_NEAR(g->apply(1), 0.8413447460685429, 1e-15);  // Phi(1)
  EXPECT_NEAR(g->apply(-0.75), -0.1699706, 1e-6);       // near the dip REFERENCE mentions
}

TEST(Nonlinear, GeluApproximationsAreAsAccurateAsPublished) {
  // tanh form: max error about 5e-4 on [-4, 4] (Hendrycks & Gimpel 2016 give it as "within
  // 1e-3"); ReLU differs by up to GELU's dip, 0.17; I-BERT's 8-bit integer GELU within 0.04.
  EXPECT_LT(gelu_error(*make_gelu("gelu:tanh")).max_error, 1e-3);
  EXPECT_NEAR(gelu_error(*make_gelu("gelu:relu")).max_error, 0.17, 0.001);
  const auto ibert8 = gelu_error(*make_gelu("gelu:ibert"));
  const auto ibert12 = gelu_error(*make_gelu("gelu:ibert:bits=12"));
  EXPECT_LT(ibert8.max_error, 0.04);
  EXPECT_LT(ibert12.mae, ibert8.mae);  // finer codes, smaller error
  EXPECT_EQ(gelu_error(*make_gelu("gelu:exact")).mae, 0);
}

TEST(Nonlinear, SoftmaxVariantsNormalise) {
  const std::vector<double> x{1.0, -2.0, 0.5, 3.0, -0.25, 0.0, 2.0, -5.0};
  std::vector<double> y(x.size());
  for (const char* spec : {"softmax:exact", "softmax:iter:k=3", "softmax:shiftmax"}) {
    make_softmax(spec)->apply(x, y);
    EXPECT_NEAR(std::accumulate(y.begin(), y.end(), 0.0), 1.0, 0.02) << spec;
    EXPECT_EQ(std::max_element(y.begin(), y.end()) - y.begin(), 3) << spec;  // order kept
  }
  make_softmax("softmax:log2:bits=3")->apply(x, y);
  for (double p : y) {
    const double k = -std::log2(p);
    EXPECT_TRUE(p == 0 || (k == std::round(k) && k >= 0 && k <= 7)) << p;
  }
}

TEST(Nonlinear, IterativeSoftmaxConvergesWithK) {
  double previous = 1e300;
  for (int k = 0; k <= 3; ++k) {
    const double mae = softmax_error(*make_softmax("softmax:iter:k=" + std::to_string(k))).mae;
    EXPECT_LT(mae, previous) << k;
    previous = mae;
  }
  EXPECT_LT(previous, 1e-4);
  // The residual at large k is the exponential's quadratic fit, not the normalisation.
  EXPECT_NEAR(softmax_error(*make_softmax("softmax:iter:k=8")).mae, previous, 1e-5);
}

TEST(Nonlinear, IntegerUnitsTrackTheExactOnes) {
  EXPECT_LT(softmax_error(*make_softmax("softmax:shiftmax")).mae, 0.005);
  EXPECT_LT(layernorm_error(*make_layernorm("layernorm:int")).mae, 0.03);
  EXPECT_LT(layernorm_error(*make_layernorm("layernorm:int:bits=12")).mae,
            layernorm_error(*make_layernorm("layernorm:int")).mae);
}

TEST(Nonlinear, IntegerSquareRootIsExactFloor) {
  // Newton's integer square root against a brute-force floor(sqrt(v)), through the unit:
  // a row {-a, a} normalises to exactly {-1, 1} when the code scale is exact.
  const auto ln = make_layernorm("layernorm:int:bits=16");
  std::vector<double> y(2);
  ln->apply(std::vector<double>{-3.0, 3.0}, y, 0.0);
  EXPECT_NEAR(y[0], -1.0, 1e-3);
  EXPECT_NEAR(y[1], 1.0, 1e-3);
}

TEST(Nonlinear, CheaperVariantsCostLess) {
  const auto tech = cost::load_technology("cmos45");
  const auto energy = [&](const NonlinearUnit& u) { return tech.price(u.element_hardware()).energy_pJ; };
  EXPECT_LT(energy(*make_gelu("gelu:relu")), energy(*make_gelu("gelu:ibert")));
  EXPECT_LT(energy(*make_gelu("gelu:ibert")), energy(*make_gelu("gelu:exact")));
  EXPECT_LT(energy(*make_gelu("gelu:exact")), energy(*make_gelu("gelu:tanh")));
  EXPECT_LT(energy(*make_softmax("softmax:shiftmax")), energy(*make_softmax("softmax:exact")));
  EXPECT_LT(energy(*make_softmax("softmax:iter")), energy(*make_softmax("softmax:exact")));
  // Row work of the iterative softmax grows with k.
  EXPECT_LT(tech.price(make_softmax("softmax:iter:k=1")->row_hardware()).energy_pJ,
            tech.price(make_softmax("softmax:iter:k=4")->row_hardware()).energy_pJ);
}

TEST(Nonlinear, BadSpecsFailWithOneLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"gelu:exactt",
       "unknown gelu variant 'exactt' (did you mean 'exact'?); available: bernstein, exact, ibert, relu, sc, sc-fsm, "
       "tanh"},
      {"gelu", "expected exactly one variant"},
      {"softmax:iter:k=9", "k=9 is out of range; allowed 0..8"},
      {"softmax:iter:j=2", "unknown key 'j' for family 'softmax:iter'"},
      {"gelu:ibert:bits=2", "bits=2 is out of range; allowed 4..16"},
      {"layernorm:float", "unknown layernorm variant 'float'"},
      {"tanh:exact", "unknown nonlinear kind 'tanh'; available: gelu, layernorm, softmax"},
  };
  for (const auto& [spec, expect] : cases) {
    try {
      make_nonlinear(spec);
      ADD_FAILURE() << spec;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  EXPECT_THROW(make_gelu("softmax:exact"), Error);
}

}  // namespace vitdse::arith

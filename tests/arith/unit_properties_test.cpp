// Properties that code outside the registries asks units for, instead of reading their spec
// strings: checked against what each unit computes, for every registered family and variant.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/nonlinear_error.hpp"

namespace vitdse::arith {
namespace {

/// True when every product over the full operand range is the true product.
bool all_products_true(const Multiplier& m) {
  for (std::int64_t a = m.min_operand(); a <= m.max_operand(); ++a) {
    for (std::int64_t b = m.min_operand(); b <= m.max_operand(); ++b) {
      if (m.mul(a, b) != a * b) return false;
    }
  }
  return true;
}

/// The product table of `m`, 8 bits signed, as a lut file's little-endian 16-bit words.
std::string table_of(const Multiplier& m) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; ++j) {
      const auto v = static_cast<std::uint16_t>(m.mul(static_cast<std::int8_t>(i), static_cast<std::int8_t>(j)));
      bytes += static_cast<char>(v & 0xFF);
      bytes += static_cast<char>(v >> 8);
    }
  }
  return bytes;
}

// exact() is true exactly for the units whose every product is the true one. A lut unit is
// never exact, even with a true table: its cost is declared, not the exact array's.
TEST(UnitProperties, ExactMultipliersAreTheOnesWhoseProductsAreAllTrue) {
  const vitdse::test::TempDir dir;
  // A lut file holding the exact products: true products, yet not the exact unit.
  const std::string lut = dir.write("exact.bin", table_of(*make_multiplier("exact:8s")));
  const std::map<std::string, std::vector<std::string>> examples{
      {"exact", {"exact:8s", "exact:6u"}},
      {"trunc", {"trunc:8s:t=6"}},
      {"bam", {"bam:8s:hbl=0:vbl=7"}},
      {"drum", {"drum:8s:k=4"}},
      {"mitchell", {"mitchell:8s"}},
      {"roba", {"roba:8s"}},
      {"kulkarni", {"kulkarni:8u"}},
      {"lut", {"lut:8s:file=" + lut + ":mw=0.3:um2=500:ns=1.2"}},
      {"sc", {"sc:6u:L=64:enc=unipolar:sng=sobol"}},
  };
  for (const auto& family : multiplier_families()) {
    ASSERT_TRUE(examples.contains(family.name)) << "no example of family '" << family.name << "'";
    for (const auto& spec : examples.at(family.name)) {
      const auto m = make_multiplier(spec);
      EXPECT_EQ(all_products_true(*m), m->exact() || family.name == "lut") << spec;
      EXPECT_EQ(m->exact(), family.name == "exact") << spec;
    }
  }
}

std::vector<double> softmax_of(const SoftmaxUnit& u, const std::vector<double>& logits) {
  std::vector<double> p(logits.size());
  u.apply(logits, p);
  return p;
}

const std::vector<std::vector<double>>& logit_rows() {
  static const std::vector<std::vector<double>> rows{
      {0.1, -1.3, 2.2, 0.7, -0.4, 1.9, -2.5, 0.0}, {3.0, 2.9, -3.0, 0.5}, {-0.2, 0.4, 1.1, -1.7, 0.9, 0.3}};
  return rows;
}

// exact() is true exactly for the nonlinear units that compute the reference function (the
// evaluator swaps them for the float model's); power_of_two_outputs() for the softmax units
// whose every probability is 2^-k or 0.
TEST(UnitProperties, ExactNonlinearUnitsComputeTheReferenceAndShiftSoftmaxesEmitPowersOfTwo) {
  const auto reference = make_softmax("softmax:exact");
  int exact_seen = 0, shifting_seen = 0;
  for (const auto& family : nonlinear_families()) {
    const std::string spec = family.kind + ":" + family.variant;
    SCOPED_TRACE(spec);
    if (family.kind == "gelu") {
      const auto u = make_gelu(spec);
      EXPECT_EQ(u->exact(), gelu_error(*u).max_error < 1e-12) << gelu_error(*u).max_error;
      exact_seen += u->exact() ? 1 : 0;
    } else if (family.kind == "softmax") {
      const auto u = make_softmax(spec);
      bool equal = true, powers = true;
      for (const auto& row : logit_rows()) {
        const auto p = softmax_of(*u, row), q = softmax_of(*reference, row);
        for (std::size_t i = 0; i < p.size(); ++i) {
          equal = equal && std::abs(p[i] - q[i]) < 1e-12;
          powers = powers && (p[i] == 0.0 || std::exp2(std::round(std::log2(p[i]))) == p[i]);
        }
      }
      EXPECT_EQ(u->exact(), equal);
      EXPECT_EQ(u->power_of_two_outputs(), powers);
      exact_seen += u->exact() ? 1 : 0;
      shifting_seen += u->power_of_two_outputs() ? 1 : 0;
    }
  }
  EXPECT_EQ(exact_seen, 2);     // gelu:exact and softmax:exact
  EXPECT_EQ(shifting_seen, 1);  // softmax:log2
  EXPECT_TRUE(make_layernorm("layernorm:exact")->exact());
}

}  // namespace
}  // namespace vitdse::arith

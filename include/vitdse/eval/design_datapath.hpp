// A design's datapath: every GEMM on integer codes through its multiplier's table, the chosen
// GELU and softmax units, and the design's token and FFN2 pruning.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <vector>

#include "vitdse/arith/nonlinear.hpp"
#include "vitdse/arith/quantiser.hpp"
#include "vitdse/eval/datapath.hpp"
#include "vitdse/eval/lut_gemm.hpp"
#include "vitdse/eval/vit_engine.hpp"
#include "vitdse/model/design.hpp"

namespace vitdse::eval {

/// Activation samples of the float model at every GEMM input, recorded on calibration images;
/// scales are calibrated from them. Keys: site_name() plus ".a" (left operand) or ".b" (right
/// operand of qk and av).
struct ActivationSamples {
  std::map<std::string, std::vector<float>> samples;

  /// Runs the float model on `images` on one thread (so the samples do not depend on the
  /// thread count) and keeps at most `cap` evenly strided values per tensor.
  static ActivationSamples record(const VitEngine& engine, std::span<const float> images, int batch,
                                  std::size_t cap = 1 << 18);
};

/// How the design datapath quantises.
struct QuantOptions {
  arith::CalibrationMethod method = arith::CalibrationMethod::min_max;
  double percentile = 99.99;
};

/// The design's arithmetic, layer by layer:
///  - weights: symmetric, per output channel, `wbits`; activations: symmetric, per tensor,
///    `abits`, scales calibrated on float activations; attention probabilities: `abits` codes
///    of step 1/(2^(abits-1)-1) on [0, 1];
///  - every GEMM (patch_embed, qkv, qk, av, proj, fc1, fc2, head) runs on the integer codes
///    through LutGemm with int32 accumulation, then is scaled back and gets its float bias;
///  - unsigned multipliers serve signed codes in sign-magnitude: T(a, b) = sgn(a)·sgn(b)·
///    T_u(|a|, |b|), so codes are limited to n-1 magnitude bits;
///  - GELU and softmax units from the arithmetic library where the design picks non-exact ones;
///  - token keep after each block and dynamic FFN2 pruning, as the design says.
class DesignDatapath final : public Datapath {
 public:
  DesignDatapath(const VitEngine& engine, const model::Workload& workload, const model::Design& design,
                 const ActivationSamples& calibration, const QuantOptions& options = {});
  ~DesignDatapath() override;

  void linear(Site site, const FloatMatrix& x, const Linear& layer, FloatMatrix& out) const override;
  void scores(int block, MatrixRef q, MatrixRef k, FloatMatrix& out) const override;
  void mix(int block, const FloatMatrix& p, MatrixRef v, MutableMatrixRef out) const override;
  void matmul(Site site, MatrixRef a, MatrixRef b, FloatMatrix& out) const override;
  void softmax(int block, FloatMatrix& scores) const override;
  void activation(int block, FloatMatrix& hidden) const override;
  [[nodiscard]] double token_keep(int block) const override;
  [[nodiscard]] double ffn2_prune(int block) const override;

 private:
  struct Gemm;
  [[nodiscard]] const Gemm& gemm(Site site) const;

  std::vector<std::unique_ptr<Gemm>> gemms_;                  ///< patch_embed, head, then 6 per block
  std::vector<std::unique_ptr<arith::GeluUnit>> gelu_;        ///< per block; null: exact
  std::vector<std::unique_ptr<arith::SoftmaxUnit>> softmax_;  ///< per block; null: exact
  std::vector<double> keep_, ffn2_prune_;
};

}  // namespace vitdse::eval

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
  /// Each operand's columns: min and max over every row recorded.
  struct Columns {
    Eigen::RowVectorXf low, high;
  };
  /// Evenly strided whole rows of each operand, row-major (columns[key].low.size() wide).
  std::map<std::string, std::vector<float>> samples;
  std::map<std::string, Columns> columns;

  /// Runs the float model on `images` on one thread (so the samples do not depend on the
  /// thread count) and keeps at most `cap` values (whole rows) per operand.
  static ActivationSamples record(const VitEngine& engine, std::span<const float> images, int batch,
                                  std::size_t cap = 1 << 18);

  /// Appends every row of `m` to `key`'s samples and widens its column extremes (not thread-safe).
  void add(const std::string& key, MatrixRef m);
  /// Keeps at most `cap` values per key: evenly strided whole rows, so that per-column transforms
  /// of the samples stay possible.
  void thin(std::size_t cap);
};

/// How the design datapath quantises.
struct QuantOptions {
  arith::CalibrationMethod method = arith::CalibrationMethod::min_max;
  double percentile = 99.99;
};

/// The design's arithmetic, layer by layer:
///  - weights: symmetric, `wbits`, per output channel (or per tensor, `wquant`); activations:
///    symmetric, per tensor, `abits`, scales calibrated on float activations; attention
///    probabilities: `abits` codes of step 1/(2^(abits-1)-1) on [0, 1];
///  - Trio-ViT's input transforms (`transform`): shifting folded into the bias, migration into
///    the weight columns, the input quantiser calibrated on transformed samples;
///  - every GEMM (patch_embed, qkv, qk, av, proj, fc1, fc2, head) runs on the integer codes
///    through LutGemm with int32 accumulation, then is scaled back and gets its float bias;
///  - unsigned multipliers serve signed codes in sign-magnitude: T(a, b) = sgn(a)·sgn(b)·
///    T_u(|a|, |b|), so codes are limited to n-1 magnitude bits;
///  - GELU and softmax units from the arithmetic library where the design picks non-exact ones;
///    after softmax:log2 the attn.av product shifts value codes by the probabilities' exponents
///    (its multiplier is not used); linear attention's `divide: log2` quantises denominators
///    to powers of two in 2^-6..2^9 (Trio-ViT), so the division is a shift;
///  - token keep after each block; FFN2 pruning dynamic (per token, by the engine) or static
///    (fc2's weight columns of smallest L2 norm zeroed), as `ffn2_mode` says.
class DesignDatapath final : public Datapath {
 public:
  /// `cuda_device` ≥ 0: the GEMMs with weights run on that GPU, with the same bits.
  DesignDatapath(const VitEngine& engine, const model::Workload& workload, const model::Design& design,
                 const ActivationSamples& calibration, const QuantOptions& options = {}, int cuda_device = -1);
  ~DesignDatapath() override;

  void linear(Site site, const FloatMatrix& x, const Linear& layer, FloatMatrix& out) const override;
  void scores(int block, MatrixRef q, MatrixRef k, FloatMatrix& out) const override;
  void mix(int block, const FloatMatrix& p, MatrixRef v, MutableMatrixRef out) const override;
  void matmul(Site site, MatrixRef a, MatrixRef b, FloatMatrix& out) const override;
  void softmax(int block, FloatMatrix& scores) const override;
  void activation(int block, FloatMatrix& hidden) const override;
  void denominators(int block, Eigen::ArrayXf& den) const override;
  [[nodiscard]] double token_keep(int block) const override;
  [[nodiscard]] double ffn2_prune(int block) const override;

  struct Gemm;

 private:
  [[nodiscard]] const Gemm& gemm(Site site) const;

  std::vector<std::unique_ptr<Gemm>> gemms_;                  ///< patch_embed, head, then 6 per block
  std::vector<std::unique_ptr<arith::GeluUnit>> gelu_;        ///< per block; null: exact
  std::vector<std::unique_ptr<arith::SoftmaxUnit>> softmax_;  ///< per block; null: exact
  std::vector<double> keep_, ffn2_prune_;                     ///< per block; ffn2_prune_ is the dynamic share
  std::vector<char> shift_mix_;    ///< per block: softmax:log2, so attn.av shifts instead of multiplying
  std::vector<char> log2_divide_;  ///< per block: linear attention divides by log2-quantised denominators
};

}  // namespace vitdse::eval

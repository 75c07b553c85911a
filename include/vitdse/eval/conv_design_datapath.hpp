// A design's datapath on a convolutional model (EfficientViT): every convolution, LiteMLA
// product and head layer on integer codes through its multiplier's table.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "vitdse/eval/conv_datapath.hpp"
#include "vitdse/eval/design_datapath.hpp"
#include "vitdse/eval/efficientvit_engine.hpp"
#include "vitdse/model/design.hpp"

namespace vitdse::eval {

/// The float model's operands at every convolution, product and head layer of an EfficientViT,
/// on `images`, on one thread; keys are the workload layer's name plus ".a" (the input, or the
/// left operand) or ".b" (a product's right operand), at most `cap` values (whole rows) each.
ActivationSamples record_conv_samples(const EfficientVitEngine& engine, std::span<const float> images, int batch,
                                      std::size_t cap = 1 << 18);

/// The design's arithmetic, as DesignDatapath applies it to a ViT's GEMMs:
///  - weights (batch norm folded in): symmetric, `wbits`, per output channel (or per tensor,
///    `wquant`); every layer's input: symmetric, per tensor, `abits`, its scale calibrated on the
///    float model's activations;
///  - 1x1 convolutions (grouped or not) run as LutGemms on the map, other dense convolutions on
///    their unfolded patches, depthwise convolutions on a direct loop through the same signed
///    table (signed_code_table), all with int32 accumulation, scaled back, then the float bias
///    and Hardswish;
///  - LiteMLA's kv = ReLU(K)^T [V 1] and qkv_out = ReLU(Q)·kv on codes of both operands, and with
///    `divide: log2` the denominators quantised to powers of two (Trio-ViT), as on a ViT;
///  - Trio-ViT's input transforms where the paper puts them: the migration of `migrate` (or
///    `migrate+shift`) on depthwise inputs, folded into the filters, and the shifting of `shift`
///    (or `migrate+shift`) on 1x1 inputs, folded into each group's bias; elsewhere none (a
///    shift does not survive a depthwise conv's zero padding). The input quantiser is then
///    calibrated on the transformed samples.
/// Pruning is not applied to EfficientViT layers: a design that asks for it is an Error naming
/// the layer.
class ConvDesignDatapath final : public ConvDatapath {
 public:
  ConvDesignDatapath(const EfficientVitEngine& engine, const model::Workload& workload, const model::Design& design,
                     const ActivationSamples& calibration, const QuantOptions& options = {});
  ~ConvDesignDatapath() override;

  void conv(const FeatureMap& x, const FoldedConv& layer, FeatureMap& out) const override;
  void linear(int layer, const FloatMatrix& x, const Linear& weights, FloatMatrix& out) const override;
  void matmul(int layer, MatrixRef a, MatrixRef b, FloatMatrix& out) const override;
  void denominators(int layer, Eigen::ArrayXf& den) const override;

  struct Layer;

 private:
  [[nodiscard]] const Layer& at(int layer) const;

  std::vector<std::unique_ptr<Layer>> layers_;  ///< by workload layer; null for layers without arithmetic
};

/// A depthwise layer's products by tap, for its fixed weight codes [channels x taps]: row
/// c·taps + tap holds table[(a mod 2^n)·2^n + (w(c, tap) mod 2^n)] for every input code a.
std::vector<std::int32_t> depthwise_rows(std::span<const std::uint8_t> weights, int channels, int taps,
                                         std::span<const std::int32_t> table, int bits);

/// depthwise_lut on the rows depthwise_rows built: one lookup per tap and channel.
void depthwise_lut_rows(std::span<const std::uint8_t> x, int height, int width, std::span<const std::int32_t> rows,
                        const FoldedConv& conv, int bits, Int32View out);

/// Depthwise convolution on codes: out(p, c) = Σ taps table[(x(p', c) mod 2^n)·2^n + (w(c, tap) mod 2^n)]
/// with `conv`'s kernel, stride and padding; x is [pixels x channels] codes of a height x width
/// map, weights [channels x k·k] codes; out is [out pixels x channels].
void depthwise_lut(std::span<const std::uint8_t> x, int height, int width, std::span<const std::uint8_t> weights,
                   const FoldedConv& conv, std::span<const std::int32_t> table, int bits, Int32View out);

}  // namespace vitdse::eval

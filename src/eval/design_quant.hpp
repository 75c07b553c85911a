// How a design's datapaths quantise operands, shared by the ViT and the convolutional ones.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vitdse/arith/quantiser.hpp"
#include "vitdse/eval/design_datapath.hpp"
#include "vitdse/eval/lut_gemm.hpp"
#include "vitdse/model/design.hpp"

namespace vitdse::eval::detail {

/// Operand codes of a float matrix (rows may be strided), each as its two's-complement byte.
template <class M>
std::vector<std::uint8_t> codes_of(const M& x, const arith::QuantParams& p) {
  const auto cols = static_cast<std::size_t>(x.cols());
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(x.rows()) * cols);
  if (x.rows() > 1 && static_cast<std::size_t>(x.outerStride()) == cols) {  // one contiguous run
    arith::quantise_to_bytes(std::span<const float>(x.data(), codes.size()), p, codes);
    return codes;
  }
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    arith::quantise_to_bytes(std::span<const float>(x.row(r).data(), cols), p,
                             std::span<std::uint8_t>(codes).subspan(static_cast<std::size_t>(r) * cols, cols));
  }
  return codes;
}

/// The GEMM of unit `spec` on signed codes (signed_code_table); `cuda_device` ≥ 0 puts its weight
/// products on that GPU.
std::shared_ptr<const LutGemm> make_signed_gemm(const std::string& spec, int cuda_device = -1);

/// The recorded samples of `key`; an Error when calibration never saw it.
const std::vector<float>& samples_of(const ActivationSamples& samples, const std::string& key);

/// Symmetric per-tensor parameters of `bits` calibrated on `values` by `options`.
arith::QuantParams calibrated(std::span<const float> values, int bits, const QuantOptions& options);
arith::QuantParams calibrated(const ActivationSamples& samples, const std::string& key, int bits,
                              const QuantOptions& options);

/// A weight matrix [out x in] as codes: symmetric `bits`, per row (output channel) or per tensor.
struct WeightCodes {
  std::vector<std::uint8_t> codes;  ///< row-major, two's-complement bytes
  std::vector<float> scales;        ///< one per row (a per-tensor scale repeated)
};
WeightCodes quantise_weights(const FloatMatrix& weight, int bits, model::WeightQuant granularity);

/// A layer input's per-channel extremes from the calibration set: row 0 the minima, row 1 the maxima.
FloatMatrix column_extremes(const ActivationSamples::Columns& columns);

/// Calibration samples (whole rows of `shift.size()` channels) as a transformed input sees them:
/// (x - shift) · gain per channel.
std::vector<float> transformed_samples(std::vector<float> samples, const Eigen::RowVectorXf& shift,
                                       const Eigen::RowVectorXf& gain);

}  // namespace vitdse::eval::detail

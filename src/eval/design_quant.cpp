#include "design_quant.hpp"

#include "vitdse/arith/multiplier.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval::detail {

std::shared_ptr<const LutGemm> make_signed_gemm(const std::string& spec, int cuda_device) {
  const auto m = arith::make_multiplier(spec);
  return std::make_shared<const LutGemm>(signed_code_table(*m, spec), arith::Width{m->bits(), true},
                                         GemmPath::automatic, cuda_device);
}

const std::vector<float>& samples_of(const ActivationSamples& samples, const std::string& key) {
  const auto it = samples.samples.find(key);
  if (it == samples.samples.end() || it->second.empty()) {
    throw Error("no calibration samples for " + key + "; calibrate on images of this model");
  }
  return it->second;
}

arith::QuantParams calibrated(std::span<const float> values, int bits, const QuantOptions& o) {
  arith::CalibrationOptions c;
  c.bits = bits;
  c.scheme = arith::QuantScheme::symmetric;
  c.method = o.method;
  c.percentile = o.percentile;
  return arith::calibrate(values, c);
}

arith::QuantParams calibrated(const ActivationSamples& samples, const std::string& key, int bits,
                              const QuantOptions& o) {
  return calibrated(samples_of(samples, key), bits, o);
}

WeightCodes quantise_weights(const FloatMatrix& weight, int bits, model::WeightQuant granularity) {
  arith::CalibrationOptions wo;
  wo.bits = bits;
  wo.granularity =
      granularity == model::WeightQuant::per_tensor ? arith::Granularity::per_tensor : arith::Granularity::per_row;
  if (granularity == model::WeightQuant::per_channel_mse) wo.method = arith::CalibrationMethod::mse;
  const arith::QuantParams wp = arith::calibrate(weight, wo);
  const arith::CodeMatrix q = arith::quantise(weight, wp);
  WeightCodes out;
  out.codes.resize(static_cast<std::size_t>(q.size()));
  for (Eigen::Index i = 0; i < q.size(); ++i)
    out.codes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(q.data()[i]);
  out.scales.assign(static_cast<std::size_t>(weight.rows()), wp.scales[0]);
  if (wp.scales.size() > 1) out.scales = wp.scales;
  return out;
}

FloatMatrix column_extremes(const ActivationSamples::Columns& columns) {
  FloatMatrix extremes(2, columns.low.size());
  extremes << columns.low, columns.high;
  return extremes;
}

std::vector<float> transformed_samples(std::vector<float> samples, const Eigen::RowVectorXf& shift,
                                       const Eigen::RowVectorXf& gain) {
  const Eigen::Index width = shift.size();
  Eigen::Map<FloatMatrix> rows(samples.data(), static_cast<Eigen::Index>(samples.size()) / width, width);
  rows = ((rows.rowwise() - shift).array().rowwise() * gain.array()).matrix();
  return samples;
}

}  // namespace vitdse::eval::detail

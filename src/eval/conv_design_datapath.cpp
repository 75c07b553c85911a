// A design's arithmetic on EfficientViT: quantised convolutions (LutGemm, or the depthwise
// lookup loop), LiteMLA products and head layers; calibration samples of the float model.
#include "vitdse/eval/conv_design_datapath.hpp"

#include <mutex>

#include <tbb/task_arena.h>

#include "design_quant.hpp"
#include "vitdse/arith/log2_quantiser.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/trio_transforms.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval {

using detail::codes_of;
using Int32Matrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ConvDesignDatapath::Layer {
  std::string name;
  std::shared_ptr<const LutGemm> lut;
  std::shared_ptr<const std::vector<std::int32_t>> table;  ///< depthwise: the signed code table
  int bits = 8;
  arith::QuantParams a, b;             ///< the input (left operand); a product's right operand
  std::vector<PackedOperand> weights;  ///< per group: W_g^T as codes (GEMM layers)
  std::vector<std::int32_t> tap_rows;  ///< depthwise: depthwise_rows of the weight codes
  Eigen::RowVectorXf out_scale;        ///< a's scale times each output channel's weight scale
  Eigen::RowVectorXf bias;
  /// With a Trio-ViT transform, the input becomes (x - shift) · gain per channel before its codes.
  Eigen::RowVectorXf shift, gain;
  bool log2_divide = false;  ///< qkv_out with divide: log2
};

namespace {

/// The float datapath, keeping every operand it sees.
class ConvRecorder final : public ConvDatapath {
 public:
  ConvRecorder(ActivationSamples& out, const model::Workload& workload) : out_(out), workload_(workload) {}

  void conv(const FeatureMap& x, const FoldedConv& layer, FeatureMap& out) const override {
    keep(layer.layer, ".a", x.values);
    ConvDatapath::conv(x, layer, out);
  }
  void linear(int layer, const FloatMatrix& x, const Linear& weights, FloatMatrix& out) const override {
    keep(layer, ".a", x);
    ConvDatapath::linear(layer, x, weights, out);
  }
  void matmul(int layer, MatrixRef a, MatrixRef b, FloatMatrix& out) const override {
    keep(layer, ".a", a);
    keep(layer, ".b", b);
    ConvDatapath::matmul(layer, a, b, out);
  }

 private:
  void keep(int layer, const char* operand, MatrixRef m) const {
    const std::lock_guard lock(mutex_);
    out_.add(workload_.layers()[static_cast<std::size_t>(layer)].name + operand, m);
  }

  ActivationSamples& out_;
  const model::Workload& workload_;
  mutable std::mutex mutex_;
};

/// Trio-ViT's transforms where the paper places them, from the calibration set's per-channel
/// extremes of the input: on a depthwise input, migration by ratios r (each filter times r_c,
/// the input divided by it); on a 1x1 input, shifting by the midpoints m, folded into each
/// group's bias (b + W_g m_g). Either leaves the output unchanged in exact arithmetic. Sets the
/// layer's shift and gain and returns the samples transformed.
std::vector<float> fold_conv_transform(bool migrate, bool shift, const ActivationSamples::Columns& columns,
                                       std::vector<float> samples, const FoldedConv& conv, FloatMatrix& weight,
                                       ConvDesignDatapath::Layer& l) {
  const Eigen::Index width = columns.low.size();
  const FloatMatrix extremes = detail::column_extremes(columns);
  l.shift = Eigen::RowVectorXf::Zero(width);
  l.gain = Eigen::RowVectorXf::Ones(width);
  if (shift) {
    const auto m = arith::channel_midpoints(extremes);
    l.shift = Eigen::Map<const Eigen::RowVectorXf>(m.data(), width);
    const Eigen::Index group_in = conv.in / conv.groups, group_out = conv.out / conv.groups;
    for (int g = 0; g < conv.groups; ++g) {
      const FloatMatrix w_g = weight.middleRows(g * group_out, group_out);
      const Eigen::RowVectorXf b_g = l.bias.segment(g * group_out, group_out);
      const auto folded = arith::fold_shift_into_bias(w_g, std::span<const float>(b_g.data(), b_g.size()),
                                                      std::span<const float>(m).subspan(g * group_in, group_in));
      l.bias.segment(g * group_out, group_out) = Eigen::Map<const Eigen::RowVectorXf>(folded.data(), group_out);
    }
  }
  if (migrate) {
    const auto r = arith::migration_ratios(extremes);
    arith::migrate_depthwise_weights(weight, r);
    l.gain = Eigen::Map<const Eigen::RowVectorXf>(r.data(), width).cwiseInverse();
  }
  return detail::transformed_samples(std::move(samples), l.shift, l.gain);
}

}  // namespace

ActivationSamples record_conv_samples(const EfficientVitEngine& engine, std::span<const float> images, int batch,
                                      std::size_t cap) {
  ActivationSamples result;
  const model::Workload workload(engine.card());
  const ConvRecorder recorder(result, workload);
  // One thread: images then arrive in order, so the samples are the same on any machine.
  tbb::task_arena(1).execute([&] { (void)engine.forward(images, batch, &recorder); });
  result.thin(cap);
  return result;
}

std::vector<std::int32_t> depthwise_rows(std::span<const std::uint8_t> weights, int channels, int taps,
                                         std::span<const std::int32_t> table, int bits) {
  const unsigned mask = (1U << bits) - 1U;
  std::vector<std::int32_t> rows(static_cast<std::size_t>(channels) * static_cast<std::size_t>(taps) << bits);
  for (std::size_t r = 0; r < static_cast<std::size_t>(channels) * static_cast<std::size_t>(taps); ++r) {
    const unsigned w = weights[r] & mask;
    std::int32_t* row = rows.data() + (r << bits);
    for (unsigned a = 0; a <= mask; ++a) row[a] = table[(a << bits) + w];
  }
  return rows;
}

void depthwise_lut_rows(std::span<const std::uint8_t> x, int height, int width, std::span<const std::int32_t> rows,
                        const FoldedConv& c, int bits, Int32View out) {
  const int k = c.kernel, channels = c.in;
  const int out_h = conv_output_side(height, k, c.stride), out_w = conv_output_side(width, k, c.stride);
  const unsigned mask = (1U << bits) - 1U;
  if (out.rows != static_cast<std::size_t>(out_h) * static_cast<std::size_t>(out_w) ||
      out.cols != static_cast<std::size_t>(channels) ||
      rows.size() != static_cast<std::size_t>(channels) * static_cast<std::size_t>(k * k) << bits) {
    throw Error("depthwise convolution: output view or product rows of the wrong shape");
  }
  for (int oy = 0; oy < out_h; ++oy) {
    for (int ox = 0; ox < out_w; ++ox) {
      std::int32_t* acc = out.data + (static_cast<std::size_t>(oy) * out_w + ox) * out.stride;
      std::fill(acc, acc + channels, 0);
      for_each_tap(c, height, width, oy, ox, [&](int tap, Eigen::Index pixel) {
        const std::uint8_t* in = x.data() + static_cast<std::size_t>(pixel) * channels;
        for (int ch = 0; ch < channels; ++ch) {
          const std::int32_t product =
              rows[((static_cast<std::size_t>(ch) * k * k + static_cast<std::size_t>(tap)) << bits) + (in[ch] & mask)];
          // Wraps as int32 accumulation does in hardware (and in LutGemm).
          acc[ch] =
              static_cast<std::int32_t>(static_cast<std::uint32_t>(acc[ch]) + static_cast<std::uint32_t>(product));
        }
      });
    }
  }
}

void depthwise_lut(std::span<const std::uint8_t> x, int height, int width, std::span<const std::uint8_t> weights,
                   const FoldedConv& c, std::span<const std::int32_t> table, int bits, Int32View out) {
  depthwise_lut_rows(x, height, width, depthwise_rows(weights, c.in, c.kernel * c.kernel, table, bits), c, bits, out);
}

ConvDesignDatapath::~ConvDesignDatapath() = default;

ConvDesignDatapath::ConvDesignDatapath(const EfficientVitEngine& engine, const model::Workload& workload,
                                       const model::Design& design, const ActivationSamples& calibration,
                                       const QuantOptions& options) {
  const auto& card = engine.card();
  layers_.resize(workload.layers().size());
  std::map<std::string, std::shared_ptr<const LutGemm>> gemms;
  std::map<std::string, std::shared_ptr<const std::vector<std::int32_t>>> tables;
  const auto start = [&](int index) -> std::pair<Layer&, const model::LayerChoice&> {
    const auto i = static_cast<std::size_t>(index);
    const auto& name = workload.layers()[i].name;
    const model::LayerChoice& c = design.layers[i];
    if (c.ffn2_prune > 0.0 || c.token_keep < 1.0) {
      throw Error("design layer " + name + " of model '" + card.name +
                  "': pruning is not applied to EfficientViT layers yet");
    }
    if (c.mult < 0) throw Error("design layer " + name + " of model '" + card.name + "' has no multiplier");
    const std::string& spec = design.units[static_cast<std::size_t>(c.mult)];
    auto& gemm = gemms[spec];
    auto& table = tables[spec];
    if (!gemm) {  // one table per unit: the depthwise loop's and the GEMM's
      const auto m = arith::make_multiplier(spec);
      table = std::make_shared<const std::vector<std::int32_t>>(signed_code_table(*m, spec));
      gemm = std::make_shared<const LutGemm>(*table, arith::Width{m->bits(), true});
    }
    layers_[i] = std::make_unique<Layer>();
    Layer& l = *layers_[i];
    l.name = name;
    l.lut = gemm;
    l.table = table;
    l.bits = gemm->width().bits;
    l.a = detail::calibrated(calibration, name + ".a", c.abits, options);
    return {l, c};
  };
  // Weights [out x in/groups·k·k]: per-channel codes, packed per group for the GEMM layers.
  const auto quantise = [&](Layer& l, const model::LayerChoice& c, const FloatMatrix& weight, int groups,
                            bool depthwise) {
    const detail::WeightCodes wq = detail::quantise_weights(weight, c.wbits, c.wquant);
    l.out_scale = Eigen::Map<const Eigen::RowVectorXf>(wq.scales.data(), weight.rows()) * l.a.scales[0];
    if (depthwise) {  // the weights are fixed: their table rows are built once, here
      l.tap_rows =
          depthwise_rows(wq.codes, static_cast<int>(weight.rows()), static_cast<int>(weight.cols()), *l.table, l.bits);
      return;
    }
    const auto rows = static_cast<std::size_t>(weight.rows() / groups), cols = static_cast<std::size_t>(weight.cols());
    for (int g = 0; g < groups; ++g) {
      l.weights.push_back(l.lut->pack_transposed(CodeView(wq.codes.data() + g * rows * cols, rows, cols), Reuse::many));
    }
  };
  using model::InputTransform;
  for (const FoldedConv* conv : engine.convolutions()) {
    auto [l, c] = start(conv->layer);
    const bool depthwise = is_depthwise(*conv), pointwise = conv->kernel == 1 && conv->stride == 1;
    const bool both = c.transform == InputTransform::migrate_shift;
    const bool migrate = depthwise && (both || c.transform == InputTransform::migrate);
    const bool shift = pointwise && (both || c.transform == InputTransform::shift);
    FloatMatrix weight = conv->weight;
    l.bias = conv->bias;
    if (migrate || shift) {
      const std::string key = l.name + ".a";
      l.a = detail::calibrated(fold_conv_transform(migrate, shift, calibration.columns.at(key),
                                                   detail::samples_of(calibration, key), *conv, weight, l),
                               c.abits, options);
    }
    quantise(l, c, weight, depthwise ? 1 : conv->groups, depthwise);
  }
  for (std::size_t i = 0; i < workload.layers().size(); ++i) {
    const auto& layer = workload.layers()[i];
    if (layer.kind == model::OpKind::matmul) {
      auto [l, c] = start(static_cast<int>(i));
      l.b = detail::calibrated(calibration, layer.name + ".b", c.abits, options);
      l.log2_divide = c.divide == model::Divide::log2;
    }
  }
  for (const auto& [index, weights] : engine.head_layers()) {
    auto [l, c] = start(index);
    l.bias = weights->bias;
    quantise(l, c, weights->weight, 1, false);
  }
}

const ConvDesignDatapath::Layer& ConvDesignDatapath::at(int layer) const {
  const auto& l = layers_.at(static_cast<std::size_t>(layer));
  if (!l) throw Error("design datapath: workload layer " + std::to_string(layer) + " has no arithmetic");
  return *l;
}

void ConvDesignDatapath::conv(const FeatureMap& x, const FoldedConv& c, FeatureMap& out) const {
  const Layer& l = at(c.layer);
  out.height = conv_output_side(x.height, c.kernel, c.stride);
  out.width = conv_output_side(x.width, c.kernel, c.stride);
  out.count = x.count;
  // Every stacked image's pixels are rows of one GEMM; a depthwise loop runs image by image.
  const auto pixels = static_cast<std::size_t>(x.count * out.pixels());
  Int32Matrix acc(static_cast<Eigen::Index>(pixels), c.out);
  const FloatMatrix transformed =
      l.gain.size() > 0 ? FloatMatrix(((x.values.rowwise() - l.shift).array().rowwise() * l.gain.array()).matrix())
                        : FloatMatrix();
  const FloatMatrix& in = l.gain.size() > 0 ? transformed : x.values;
  if (is_depthwise(c)) {
    const auto codes = codes_of(in, l.a);
    const auto in_pixels = static_cast<std::size_t>(x.pixels()), out_pixels = static_cast<std::size_t>(out.pixels());
    const auto channels = static_cast<std::size_t>(c.out);
    for (std::size_t n = 0; n < static_cast<std::size_t>(x.count); ++n) {
      depthwise_lut_rows(std::span<const std::uint8_t>(codes).subspan(n * in_pixels * channels, in_pixels * channels),
                         x.height, x.width, l.tap_rows, c, l.bits,
                         Int32View(acc.data() + n * out_pixels * channels, out_pixels, channels));
    }
  } else {
    const bool direct = c.kernel == 1 && c.stride == 1;
    const auto codes = direct ? codes_of(in, l.a) : codes_of(unfold(x, c, out.height, out.width), l.a);
    const std::size_t k = codes.size() / pixels, group_k = k / static_cast<std::size_t>(c.groups),
                      group_n = static_cast<std::size_t>(c.out / c.groups);
    for (std::size_t g = 0; g < static_cast<std::size_t>(c.groups); ++g) {
      l.lut->multiply(CodeView(codes.data() + g * group_k, pixels, group_k, k), l.weights[g],
                      Int32View(acc.data() + g * group_n, pixels, group_n, static_cast<std::size_t>(c.out)));
    }
  }
  out.values = (acc.cast<float>().array().rowwise() * l.out_scale.array()).matrix();
  out.values.rowwise() += l.bias;
  if (c.hswish) hardswish(out.values);
}

void ConvDesignDatapath::linear(int layer, const FloatMatrix& x, const Linear& weights, FloatMatrix& out) const {
  const Layer& l = at(layer);
  const auto codes = codes_of(x, l.a);
  const auto m = static_cast<std::size_t>(x.rows()), n = static_cast<std::size_t>(weights.weight.rows());
  Int32Matrix acc(x.rows(), weights.weight.rows());
  l.lut->multiply(CodeView(codes.data(), m, static_cast<std::size_t>(x.cols())), l.weights[0],
                  Int32View(acc.data(), m, n));
  out = (acc.cast<float>().array().rowwise() * l.out_scale.array()).matrix();
  out.rowwise() += l.bias;
}

void ConvDesignDatapath::matmul(int layer, MatrixRef a, MatrixRef b, FloatMatrix& out) const {
  const Layer& l = at(layer);
  const auto ac = codes_of(a, l.a), bc = codes_of(b, l.b);
  const auto m = static_cast<std::size_t>(a.rows()), k = static_cast<std::size_t>(a.cols()),
             n = static_cast<std::size_t>(b.cols());
  Int32Matrix acc(a.rows(), b.cols());
  l.lut->multiply(CodeView(ac.data(), m, k), l.lut->pack(CodeView(bc.data(), k, n)), Int32View(acc.data(), m, n));
  out = acc.cast<float>() * (l.a.scales[0] * l.b.scales[0]);
}

void ConvDesignDatapath::denominators(int layer, Eigen::ArrayXf& den) const {
  if (!at(layer).log2_divide) return;
  static const auto quantiser = arith::Log2Quantiser::trio_vit_denominator();
  for (float& d : den) d = quantiser.quantise(d);
}

}  // namespace vitdse::eval

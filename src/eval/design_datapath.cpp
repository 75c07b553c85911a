// The design datapath: quantised GEMMs through lookup tables, library nonlinear units, pruning.
#include "vitdse/eval/design_datapath.hpp"

#include <cmath>
#include <numeric>

#include "design_quant.hpp"
#include "vitdse/arith/log2_quantiser.hpp"
#include "vitdse/arith/metrics.hpp"
#include "vitdse/arith/multiplier.hpp"
#include "vitdse/arith/trio_transforms.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/float_ops.hpp"

namespace vitdse::eval {

using arith::QuantParams;
using arith::QuantScheme;
using detail::calibrated;
using detail::codes_of;
using detail::samples_of;
using Int32Matrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct DesignDatapath::Gemm {
  std::string name;
  std::shared_ptr<const LutGemm> lut;
  QuantParams a, b;              ///< left operand; right operand of qk and av
  PackedOperand weights;         ///< linear sites: W^T as codes
  Eigen::RowVectorXf out_scale;  ///< linear sites: a's scale times each channel's weight scale
  Eigen::RowVectorXf bias;       ///< linear sites: the float bias (with any shift folded in)
  /// Linear sites with Trio-ViT transforms: the input becomes (x - shift) · gain per column.
  Eigen::RowVectorXf shift, gain;
};

namespace {

constexpr int kLinearOps = 4;  // qkv, proj, fc1, fc2

/// Static FFN2 pruning: zeroes the input columns of fc2's weight [out x hidden] of smallest L2
/// norm (ties to the later column), keeping ceil((1 - prune)·hidden) as the workload counts.
void prune_columns(FloatMatrix& weight, double prune) {
  const auto hidden = static_cast<std::size_t>(weight.cols());
  const auto kept = static_cast<std::size_t>(std::ceil((1.0 - prune) * static_cast<double>(hidden)));
  const Eigen::RowVectorXf norm = weight.colwise().norm();
  std::vector<Eigen::Index> order(hidden);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return norm(a) > norm(b); });
  for (std::size_t i = kept; i < hidden; ++i) weight.col(order[i]).setZero();
}

/// Trio-ViT's transforms of a linear layer's input (arith/trio_transforms.hpp), from the
/// calibration set's per-column extremes: shifting by the column midpoints m, folded into the
/// bias (b + W m); then migration by ratios r of the shifted ranges, folded into the weight
/// columns (W r). The layer's output is unchanged in exact arithmetic; the input quantiser is
/// calibrated on the transformed samples. Returns those samples.
std::vector<float> fold_transform(model::InputTransform t, const ActivationSamples::Columns& columns,
                                  std::vector<float> samples, FloatMatrix& weight, DesignDatapath::Gemm& g) {
  const bool shift = t == model::InputTransform::shift || t == model::InputTransform::migrate_shift;
  const bool migrate = t == model::InputTransform::migrate || t == model::InputTransform::migrate_shift;
  const Eigen::Index width = columns.low.size();
  FloatMatrix extremes = detail::column_extremes(columns);
  g.shift = Eigen::RowVectorXf::Zero(width);
  if (shift) {
    const auto m = arith::channel_midpoints(extremes);
    g.shift = Eigen::Map<const Eigen::RowVectorXf>(m.data(), width);
    const auto b = arith::fold_shift_into_bias(weight, std::span<const float>(g.bias.data(), g.bias.size()), m);
    g.bias = Eigen::Map<const Eigen::RowVectorXf>(b.data(), static_cast<Eigen::Index>(b.size()));
    extremes.rowwise() -= g.shift;
  }
  g.gain = Eigen::RowVectorXf::Ones(width);
  if (migrate) {
    const auto r = arith::migration_ratios(extremes);
    arith::migrate_linear_weights(weight, r);
    g.gain = Eigen::Map<const Eigen::RowVectorXf>(r.data(), width).cwiseInverse();
  }
  return detail::transformed_samples(std::move(samples), g.shift, g.gain);
}

/// Codes of attention probabilities: abits-bit codes of step 1/qmax on [0, 1].
QuantParams probability_params(int bits) {
  QuantParams p;
  p.bits = bits;
  p.scales = {1.0f / static_cast<float>((1 << (bits - 1)) - 1)};
  return p;
}

}  // namespace

DesignDatapath::~DesignDatapath() = default;

DesignDatapath::DesignDatapath(const VitEngine& engine, const model::Workload& workload, const model::Design& design,
                               const ActivationSamples& calibration, const QuantOptions& options, int cuda_device) {
  const auto& card = engine.card();
  const auto& w = engine.weights();
  act = card.act;
  std::map<std::string, std::shared_ptr<const LutGemm>> tables;
  const auto choice = [&](Site site) -> const model::LayerChoice& {
    const int i = workload.find(site_name(site));
    if (i < 0) throw Error("model '" + card.name + "' has no layer " + site_name(site));
    return design.layers[static_cast<std::size_t>(i)];
  };
  const auto make = [&](Site site, const Linear* layer) {
    const auto& c = choice(site);
    const std::string& spec = design.units[static_cast<std::size_t>(c.mult)];
    auto& lut = tables[spec];
    if (!lut) lut = detail::make_signed_gemm(spec, cuda_device);
    auto g = std::make_unique<Gemm>();
    g->name = site_name(site);
    g->lut = lut;
    if (site.op == Op::av) {
      g->a = probability_params(c.abits);
      g->b = calibrated(calibration, g->name + ".b", c.abits, options);
    } else if (layer == nullptr || c.transform == model::InputTransform::none) {
      g->a = calibrated(calibration, g->name + ".a", c.abits, options);
    }
    if (site.op == Op::qk || site.op == Op::kv || site.op == Op::qkv_out) {
      g->b = calibrated(calibration, g->name + ".b", c.abits, options);
    }
    if (layer != nullptr) {
      FloatMatrix weight = layer->weight;
      g->bias = layer->bias;
      if (site.op == Op::fc2 && c.ffn2_mode == model::Ffn2Mode::static_columns && c.ffn2_prune > 0.0) {
        prune_columns(weight, c.ffn2_prune);
      }
      if (c.transform != model::InputTransform::none) {
        const std::string key = g->name + ".a";
        const auto transformed =
            fold_transform(c.transform, calibration.columns.at(key), samples_of(calibration, key), weight, *g);
        g->a = calibrated(transformed, c.abits, options);
      }
      const detail::WeightCodes wq = detail::quantise_weights(weight, c.wbits, c.wquant);
      g->weights = lut->pack_transposed(
          CodeView(wq.codes.data(), static_cast<std::size_t>(weight.rows()), static_cast<std::size_t>(weight.cols())),
          Reuse::many);
      g->out_scale = Eigen::Map<const Eigen::RowVectorXf>(wq.scales.data(), weight.rows()) * g->a.scales[0];
    }
    gemms_.push_back(std::move(g));
  };
  make({-1, Op::patch_embed}, &w.patch_embed);
  make({-1, Op::head}, &w.head);
  for (int b = 0; b < card.depth; ++b) {
    const auto& blk = w.blocks[static_cast<std::size_t>(b)];
    make({b, Op::qkv}, &blk.qkv);
    make({b, Op::proj}, &blk.proj);
    make({b, Op::fc1}, &blk.fc1);
    make({b, Op::fc2}, &blk.fc2);
    if (card.attention == model::Attention::softmax) {
      make({b, Op::qk}, nullptr);
      make({b, Op::av}, nullptr);
    } else {
      make({b, Op::kv}, nullptr);
      make({b, Op::qkv_out}, nullptr);
    }
    const auto nonlinear = [&](const std::string& layer, std::int16_t model::LayerChoice::*field) -> std::string {
      const int i = workload.find("blocks." + std::to_string(b) + "." + layer);
      if (i < 0) return "";
      const auto index = design.layers[static_cast<std::size_t>(i)].*field;
      return index < 0 ? "" : design.nonlinear[static_cast<std::size_t>(index)];
    };
    const std::string gelu = nonlinear("mlp.act", &model::LayerChoice::gelu);
    const std::string soft = nonlinear("attn.softmax", &model::LayerChoice::softmax);
    auto gelu_unit = card.act == model::Activation::gelu && !gelu.empty() ? arith::make_gelu(gelu) : nullptr;
    auto softmax_unit = soft.empty() ? nullptr : arith::make_softmax(soft);
    shift_mix_.push_back(softmax_unit && softmax_unit->power_of_two_outputs() ? 1 : 0);
    // Exact units run as the float model's functions.
    gelu_.push_back(gelu_unit && !gelu_unit->exact() ? std::move(gelu_unit) : nullptr);
    softmax_.push_back(softmax_unit && !softmax_unit->exact() ? std::move(softmax_unit) : nullptr);
    const auto& fc2 = choice({b, Op::fc2});
    ffn2_prune_.push_back(fc2.ffn2_mode == model::Ffn2Mode::dynamic ? fc2.ffn2_prune : 0.0);
    log2_divide_.push_back(
        card.attention == model::Attention::linear_relu && choice({b, Op::qkv_out}).divide == model::Divide::log2 ? 1
                                                                                                                  : 0);
  }
  keep_ = design.keep_after_block(workload);
}

const DesignDatapath::Gemm& DesignDatapath::gemm(Site site) const {
  constexpr int kPerBlock = kLinearOps + 2;
  if (site.op == Op::patch_embed) return *gemms_[0];
  if (site.op == Op::head) return *gemms_[1];
  const int offset = site.op == Op::qkv                       ? 0
                     : site.op == Op::proj                    ? 1
                     : site.op == Op::fc1                     ? 2
                     : site.op == Op::fc2                     ? 3
                     : site.op == Op::qk || site.op == Op::kv ? 4
                                                              : 5;  // av or qkv_out
  return *gemms_[static_cast<std::size_t>(2 + site.block * kPerBlock + offset)];
}

void DesignDatapath::linear(Site site, const FloatMatrix& x, const Linear& layer, FloatMatrix& out) const {
  const Gemm& g = gemm(site);
  const auto codes =
      g.gain.size() == 0
          ? codes_of(x, g.a)
          : codes_of(FloatMatrix(((x.rowwise() - g.shift).array().rowwise() * g.gain.array()).matrix()), g.a);
  const auto m = static_cast<std::size_t>(x.rows()), n = static_cast<std::size_t>(layer.weight.rows());
  Int32Matrix acc(x.rows(), layer.weight.rows());
  g.lut->multiply(CodeView(codes.data(), m, static_cast<std::size_t>(x.cols())), g.weights,
                  Int32View(acc.data(), m, n));
  out = (acc.cast<float>().array().rowwise() * g.out_scale.array()).matrix();
  out.rowwise() += g.bias;
}

void DesignDatapath::scores(int block, MatrixRef q, MatrixRef k, FloatMatrix& out) const {
  const Gemm& g = gemm({block, Op::qk});
  const auto qc = codes_of(q, g.a), kc = codes_of(k, g.b);
  const auto tokens = static_cast<std::size_t>(q.rows()), hd = static_cast<std::size_t>(q.cols());
  Int32Matrix acc(q.rows(), k.rows());
  g.lut->multiply(CodeView(qc.data(), tokens, hd), g.lut->pack_transposed(CodeView(kc.data(), tokens, hd)),
                  Int32View(acc.data(), tokens, static_cast<std::size_t>(k.rows())));
  out = acc.cast<float>() * (g.a.scales[0] * g.b.scales[0]);
}

void DesignDatapath::mix(int block, const FloatMatrix& p, MatrixRef v, MutableMatrixRef out) const {
  const Gemm& g = gemm({block, Op::av});
  if (shift_mix_[static_cast<std::size_t>(block)] != 0) {
    // Powers-of-two probabilities shift the value codes: sum_j v_j >> k_j, exact in double
    // (products are scaled integers and every partial sum fits in 53 bits).
    const auto vc = codes_of(v, g.b);
    const auto tokens = static_cast<Eigen::Index>(v.rows()), hd = static_cast<Eigen::Index>(v.cols());
    Eigen::MatrixXd values(tokens, hd);
    for (Eigen::Index r = 0; r < tokens; ++r) {
      for (Eigen::Index c = 0; c < hd; ++c)
        values(r, c) = static_cast<std::int8_t>(vc[static_cast<std::size_t>(r * hd + c)]);
    }
    out = ((p.cast<double>() * values) * static_cast<double>(g.b.scales[0])).cast<float>();
    return;
  }
  const auto pc = codes_of(p, g.a), vc = codes_of(v, g.b);
  const auto tokens = static_cast<std::size_t>(p.rows()), hd = static_cast<std::size_t>(v.cols());
  Int32Matrix acc(p.rows(), v.cols());
  g.lut->multiply(CodeView(pc.data(), tokens, static_cast<std::size_t>(p.cols())),
                  g.lut->pack(CodeView(vc.data(), static_cast<std::size_t>(v.rows()), hd)),
                  Int32View(acc.data(), tokens, hd));
  out = acc.cast<float>() * (g.a.scales[0] * g.b.scales[0]);
}

void DesignDatapath::matmul(Site site, MatrixRef a, MatrixRef b, FloatMatrix& out) const {
  const Gemm& g = gemm(site);
  const auto ac = codes_of(a, g.a), bc = codes_of(b, g.b);
  const auto m = static_cast<std::size_t>(a.rows()), k = static_cast<std::size_t>(a.cols()),
             n = static_cast<std::size_t>(b.cols());
  Int32Matrix acc(a.rows(), b.cols());
  g.lut->multiply(CodeView(ac.data(), m, k), g.lut->pack(CodeView(bc.data(), k, n)), Int32View(acc.data(), m, n));
  out = acc.cast<float>() * (g.a.scales[0] * g.b.scales[0]);
}

void DesignDatapath::softmax(int block, FloatMatrix& scores) const {
  const auto& unit = softmax_[static_cast<std::size_t>(block)];
  if (!unit) return Datapath::softmax(block, scores);
  std::vector<double> in(static_cast<std::size_t>(scores.cols())), probs(in.size());
  for (Eigen::Index r = 0; r < scores.rows(); ++r) {
    for (Eigen::Index c = 0; c < scores.cols(); ++c) in[static_cast<std::size_t>(c)] = scores(r, c);
    unit->apply(in, probs);
    for (Eigen::Index c = 0; c < scores.cols(); ++c)
      scores(r, c) = static_cast<float>(probs[static_cast<std::size_t>(c)]);
  }
}

void DesignDatapath::activation(int block, FloatMatrix& hidden) const {
  const auto& unit = gelu_[static_cast<std::size_t>(block)];
  if (!unit) return Datapath::activation(block, hidden);
  for (Eigen::Index i = 0; i < hidden.size(); ++i) hidden.data()[i] = static_cast<float>(unit->apply(hidden.data()[i]));
}

void DesignDatapath::denominators(int block, Eigen::ArrayXf& den) const {
  if (log2_divide_[static_cast<std::size_t>(block)] == 0) return;
  static const auto quantiser = arith::Log2Quantiser::trio_vit_denominator();
  for (float& d : den) d = quantiser.quantise(d);
}

double DesignDatapath::token_keep(int block) const { return keep_[static_cast<std::size_t>(block)]; }

double DesignDatapath::ffn2_prune(int block) const { return ffn2_prune_[static_cast<std::size_t>(block)]; }

}  // namespace vitdse::eval

// EfficientViT in training mode: a chunk of images runs layer by layer as one stack of maps, so
// every batch norm sees the chunk's statistics; the backward pass walks the tape in reverse.
#include "vitdse/train/efficientvit_backprop.hpp"

#include <cmath>
#include <string>

#include "layer_backward.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/conv_ops.hpp"
#include "vitdse/eval/efficientvit_engine.hpp"

namespace vitdse::train {

namespace {

using eval::ConvLayer;

using Maps = eval::FeatureMap;

/// The geometry of `c`, for eval's tap walk and patch unfolding.
eval::FoldedConv geometry(const ConvLayer& c) {
  eval::FoldedConv g;
  g.in = c.in;
  g.out = c.out;
  g.kernel = c.kernel;
  g.stride = c.stride;
  g.groups = c.groups;
  return g;
}

bool pointwise(const ConvLayer& c) { return c.kernel == 1 && c.stride == 1; }

void check_trainable(const ConvLayer& c) {
  if (!pointwise(c) && !eval::is_depthwise(geometry(c)) && c.groups != 1) {
    throw Error(c.name + ": training does not run grouped " + std::to_string(c.kernel) + "x" +
                std::to_string(c.kernel) + " convolutions that are not depthwise");
  }
}

/// conv(x) + bias over every stacked map: eval's convolution with the layer's own weights.
Maps convolve(const ConvLayer& c, const Maps& x) {
  check_trainable(c);
  eval::FoldedConv conv = geometry(c);
  conv.weight = c.weight;
  conv.bias = c.bias.value_or(FloatRow::Zero(c.out));
  Maps out;
  eval::conv2d(x, conv, out);
  return out;
}

/// d(weight) += and d(x) = of convolve, given d(z); `dx` is skipped when null.
void convolve_backward(const ConvLayer& c, const ConvTape& t, int count, const FloatMatrix& dz, ConvLayer& grad,
                       FloatMatrix* dx) {
  const Eigen::Index in_pixels = static_cast<Eigen::Index>(t.height) * t.width;
  const Eigen::Index out_pixels = dz.rows() / count;
  const int ow = eval::conv_output_side(t.width, c.kernel, c.stride);
  const eval::FoldedConv shape = geometry(c);
  if (dx != nullptr) dx->setZero(t.input.rows(), t.input.cols());
  if (pointwise(c)) {
    const Eigen::Index group_in = c.in / c.groups, group_out = c.out / c.groups;
    for (int g = 0; g < c.groups; ++g) {
      const auto dz_g = dz.middleCols(g * group_out, group_out);
      grad.weight.middleRows(g * group_out, group_out).noalias() +=
          dz_g.transpose() * t.input.middleCols(g * group_in, group_in);
      if (dx != nullptr) {
        dx->middleCols(g * group_in, group_in).noalias() = dz_g * c.weight.middleRows(g * group_out, group_out);
      }
    }
  } else if (eval::is_depthwise(shape)) {
    const FloatMatrix taps = c.weight.transpose();
    FloatMatrix dtaps = FloatMatrix::Zero(taps.rows(), taps.cols());
    for (int n = 0; n < count; ++n) {
      for (Eigen::Index o = 0; o < out_pixels; ++o) {
        const auto dz_row = dz.row(n * out_pixels + o);
        const int oy = static_cast<int>(o / ow), ox = static_cast<int>(o % ow);
        eval::for_each_tap(shape, t.height, t.width, oy, ox, [&](int tap, Eigen::Index pixel) {
          const Eigen::Index row = n * in_pixels + pixel;
          dtaps.row(tap) += dz_row.cwiseProduct(t.input.row(row));
          if (dx != nullptr) dx->row(row) += dz_row.cwiseProduct(taps.row(tap));
        });
      }
    }
    grad.weight += dtaps.transpose();
  } else {
    const int taps = c.kernel * c.kernel;
    FloatMatrix dpatches;
    for (int n = 0; n < count; ++n) {
      const eval::FeatureMap image{t.input.middleRows(n * in_pixels, in_pixels), t.height, t.width};
      const auto dz_n = dz.middleRows(n * out_pixels, out_pixels);
      const int oh = static_cast<int>(out_pixels / ow);
      grad.weight.noalias() += dz_n.transpose() * eval::unfold(image, shape, oh, ow);
      if (dx == nullptr) continue;
      dpatches.noalias() = dz_n * c.weight;
      for (Eigen::Index o = 0; o < out_pixels; ++o) {  // scatter each patch back onto its pixels
        const float* patch = dpatches.row(o).data();
        eval::for_each_tap(shape, t.height, t.width, static_cast<int>(o / ow), static_cast<int>(o % ow),
                           [&](int tap, Eigen::Index pixel) {
                             float* dst = dx->row(n * in_pixels + pixel).data();
                             for (int ch = 0; ch < c.in; ++ch) dst[ch] += patch[ch * taps + tap];
                           });
      }
    }
  }
}

/// dy ← dy · hardswish'(u): 0 below -3, 1 above 3, (2u + 3) / 6 between (PyTorch's).
void hardswish_backward(const FloatMatrix& u, FloatMatrix& dy) {
  const auto a = u.array();
  dy.array() *= (a < -3.0f).select(0.0f, (a > 3.0f).select(1.0f, (2.0f * a + 3.0f) / 6.0f));
}

Eigen::Array<float, 1, Eigen::Dynamic> inverse_std(const FloatRow& variance, double eps) {
  return (variance.array() + static_cast<float>(eps)).rsqrt();
}

/// conv, batch norm on this chunk's statistics, Hardswish, as ConvNormAct runs in training.
Maps conv_forward(const ConvLayer& c, const Maps& x, double eps, ConvTape& t) {
  t.input = x.values;
  t.height = x.height;
  t.width = x.width;
  Maps y = convolve(c, x);
  t.conv = y.values;
  if (c.norm) {
    t.mean = t.conv.colwise().mean();
    const FloatMatrix centred = t.conv.rowwise() - t.mean;
    t.variance = centred.array().square().colwise().mean();
    const Eigen::Array<float, 1, Eigen::Dynamic> scale = inverse_std(t.variance, eps) * c.norm->gamma.array();
    t.normed = ((centred.array().rowwise() * scale).rowwise() + c.norm->beta.array()).matrix();
  } else {
    t.normed = t.conv;
  }
  y.values = t.normed;
  if (c.hswish) eval::hardswish(y.values);
  return y;
}

/// The gradient of conv_forward's input from that of its output `dy`; adds to `grad`'s tensors.
FloatMatrix conv_backward(const ConvLayer& c, const ConvTape& t, int count, FloatMatrix dy, double eps, ConvLayer& grad,
                          bool want_dx = true) {
  if (c.hswish) hardswish_backward(t.normed, dy);
  if (c.norm) {
    const auto inv_std = inverse_std(t.variance, eps);
    const Eigen::ArrayXXf xhat = (t.conv.rowwise() - t.mean).array().rowwise() * inv_std;
    grad.norm->gamma.array() += (dy.array() * xhat).colwise().sum();
    grad.norm->beta += dy.colwise().sum();
    const Eigen::ArrayXXf g = dy.array().rowwise() * c.norm->gamma.array();
    const Eigen::Array<float, 1, Eigen::Dynamic> mean_g = g.colwise().mean(), mean_gx = (g * xhat).colwise().mean();
    dy = (((g.rowwise() - mean_g) - (xhat.rowwise() * mean_gx)).rowwise() * inv_std).matrix();
  }
  if (c.bias) *grad.bias += dy.colwise().sum();
  FloatMatrix dx;
  convolve_backward(c, t, count, dy, grad, want_dx ? &dx : nullptr);
  return dx;
}

Maps mbconv_forward(const eval::MbConvWeights& m, const Maps& x, double eps, MbConvTape& t) {
  Maps y = conv_forward(m.pointwise,
                        conv_forward(m.depthwise, conv_forward(m.inverted, x, eps, t.inverted), eps, t.depthwise), eps,
                        t.pointwise);
  if (m.residual) y.values += x.values;
  return y;
}

FloatMatrix mbconv_backward(const eval::MbConvWeights& m, const MbConvTape& t, int count, const FloatMatrix& dy,
                            double eps, eval::MbConvWeights& g) {
  FloatMatrix dx = conv_backward(
      m.inverted, t.inverted, count,
      conv_backward(m.depthwise, t.depthwise, count,
                    conv_backward(m.pointwise, t.pointwise, count, dy, eps, g.pointwise), eps, g.depthwise),
      eps, g.inverted);
  if (m.residual) dx += dy;
  return dx;
}

/// LiteMLA's output (before the residual), as eval::EfficientVitEngine computes it.
Maps attention_forward(const eval::LiteMlaWeights& a, const Maps& x, double eps, LiteMlaTape& t) {
  const Maps qkv = conv_forward(a.qkv, x, eps, t.qkv);
  const std::size_t scales = a.aggreg_depthwise.size();
  const Eigen::Index width = qkv.values.cols(), d = a.head_dim, pixels = x.pixels();
  t.branches.resize(qkv.values.rows(), width * static_cast<Eigen::Index>(scales + 1));
  t.branches.leftCols(width) = qkv.values;
  t.aggreg_depthwise.resize(scales);
  t.aggreg_pointwise.resize(scales);
  for (std::size_t s = 0; s < scales; ++s) {
    const Maps spread = conv_forward(a.aggreg_depthwise[s], qkv, eps, t.aggreg_depthwise[s]);
    t.branches.middleCols(width * static_cast<Eigen::Index>(s + 1), width) =
        conv_forward(a.aggreg_pointwise[s], spread, eps, t.aggreg_pointwise[s]).values;
  }
  const Eigen::Index heads = t.branches.cols() / (3 * d);
  Maps mixed{FloatMatrix(qkv.values.rows(), heads * d), x.height, x.width, x.count};
  t.kv.resize(static_cast<std::size_t>(x.count * heads));
  t.o.resize(t.kv.size());
  FloatMatrix v1(pixels, d + 1);
  v1.col(d).setOnes();
  for (int n = 0; n < x.count; ++n) {
    for (Eigen::Index g = 0; g < heads; ++g) {
      const auto head = static_cast<std::size_t>(n * heads + g);
      const auto rows = t.branches.middleRows(n * pixels, pixels);
      v1.leftCols(d) = rows.middleCols(3 * d * g + 2 * d, d);
      t.kv[head].noalias() = rows.middleCols(3 * d * g + d, d).cwiseMax(0.0f).transpose() * v1;
      t.o[head].noalias() = rows.middleCols(3 * d * g, d).cwiseMax(0.0f) * t.kv[head];
      const Eigen::ArrayXf den = t.o[head].col(d).array() + eval::kLiteMlaEps;
      mixed.values.block(n * pixels, g * d, pixels, d) = (t.o[head].leftCols(d).array().colwise() / den).matrix();
    }
  }
  return conv_forward(a.proj, mixed, eps, t.proj);
}

FloatMatrix attention_backward(const eval::LiteMlaWeights& a, const LiteMlaTape& t, int count, const FloatMatrix& dy,
                               double eps, eval::LiteMlaWeights& g) {
  const FloatMatrix dmixed = conv_backward(a.proj, t.proj, count, dy, eps, g.proj);
  const Eigen::Index d = a.head_dim, heads = t.branches.cols() / (3 * d), pixels = t.branches.rows() / count;
  FloatMatrix dbranches(t.branches.rows(), t.branches.cols());
  for (int n = 0; n < count; ++n) {
    for (Eigen::Index h = 0; h < heads; ++h) {
      const auto head = static_cast<std::size_t>(n * heads + h);
      const Eigen::Index row = n * pixels, col = 3 * d * h;
      detail::relu_linear_attention_backward(
          t.branches.block(row, col, pixels, d), t.branches.block(row, col + d, pixels, d),
          t.branches.block(row, col + 2 * d, pixels, d), t.kv[head], t.o[head], dmixed.block(row, h * d, pixels, d),
          eval::kLiteMlaEps, dbranches.block(row, col, pixels, d), dbranches.block(row, col + d, pixels, d),
          dbranches.block(row, col + 2 * d, pixels, d));
    }
  }
  const Eigen::Index width = t.qkv.normed.cols();
  FloatMatrix dqkv = dbranches.leftCols(width);
  for (std::size_t s = 0; s < a.aggreg_depthwise.size(); ++s) {
    const FloatMatrix dspread = conv_backward(a.aggreg_pointwise[s], t.aggreg_pointwise[s], count,
                                              dbranches.middleCols(width * static_cast<Eigen::Index>(s + 1), width),
                                              eps, g.aggreg_pointwise[s]);
    dqkv += conv_backward(a.aggreg_depthwise[s], t.aggreg_depthwise[s], count, dspread, eps, g.aggreg_depthwise[s]);
  }
  return conv_backward(a.qkv, t.qkv, count, dqkv, eps, g.qkv);
}

}  // namespace

FloatMatrix forward_training(const model::ModelCard& card, const eval::EfficientVitWeights& weights,
                             std::span<const float> images, int count, EfficientVitTape& tape) {
  const int side = card.img_size, channels = card.in_chans;
  const auto pixels = static_cast<Eigen::Index>(side) * side;
  if (count < 1 || images.size() != static_cast<std::size_t>(count * channels * pixels)) {
    throw Error("model '" + card.name + "': training forward pass given " + std::to_string(images.size()) +
                " floats for " + std::to_string(count) + " images of " + std::to_string(channels * pixels));
  }
  const double eps = card.norm_eps;
  tape.count = count;
  Maps x{FloatMatrix(count * pixels, channels), side, side, count};
  for (int n = 0; n < count; ++n) {
    for (int c = 0; c < channels; ++c) {
      for (Eigen::Index p = 0; p < pixels; ++p) x.values(n * pixels + p, c) = images[(n * channels + c) * pixels + p];
    }
  }
  x = conv_forward(weights.stem, x, eps, tape.stem);
  const std::size_t stem_depth = weights.stem_depthwise.size();
  tape.stem_depthwise.resize(stem_depth);
  tape.stem_pointwise.resize(stem_depth);
  for (std::size_t j = 0; j < stem_depth; ++j) {
    const Maps half = conv_forward(weights.stem_depthwise[j], x, eps, tape.stem_depthwise[j]);
    x.values += conv_forward(weights.stem_pointwise[j], half, eps, tape.stem_pointwise[j]).values;
  }
  tape.stages.assign(weights.stages.size(), {});
  for (std::size_t i = 0; i < weights.stages.size(); ++i) {
    tape.stages[i].resize(weights.stages[i].size());
    for (std::size_t j = 0; j < weights.stages[i].size(); ++j) {
      const auto& b = weights.stages[i][j];
      auto& t = tape.stages[i][j];
      if (b.attention) x.values += attention_forward(*b.attention, x, eps, t.attention.emplace()).values;
      x = mbconv_forward(b.mbconv, x, eps, t.mbconv);
    }
  }
  const Maps head = conv_forward(weights.head_conv, x, eps, tape.head_conv);
  tape.pooled.resize(count, head.values.cols());
  for (int n = 0; n < count; ++n)
    tape.pooled.row(n) = head.values.middleRows(n * head.pixels(), head.pixels()).colwise().mean();
  eval::linear(tape.pooled, weights.head_fc1, tape.hidden);
  eval::layer_norm(tape.hidden, weights.head_norm, eps, tape.normed, &tape.head_stats);
  tape.activated = tape.normed;
  eval::hardswish(tape.activated);
  FloatMatrix logits;
  eval::linear(tape.activated, weights.head_fc2, logits);
  return logits;
}

void backpropagate(const model::ModelCard& card, const eval::EfficientVitWeights& weights, const EfficientVitTape& tape,
                   const FloatMatrix& dlogits, eval::EfficientVitWeights& grad) {
  const double eps = card.norm_eps;
  const int count = tape.count;
  FloatMatrix da, dh, dpooled;
  detail::linear_backward(tape.activated, weights.head_fc2, dlogits, grad.head_fc2, &da);
  hardswish_backward(tape.normed, da);
  detail::layer_norm_backward(tape.hidden, tape.head_stats, weights.head_norm, da, grad.head_norm, dh);
  detail::linear_backward(tape.pooled, weights.head_fc1, dh, grad.head_fc1, &dpooled);
  grad.head_fc1.bias.setZero();  // timm's classifier.0 has no bias
  const Eigen::Index pixels = tape.head_conv.normed.rows() / count;
  FloatMatrix dx(tape.head_conv.normed.rows(), tape.head_conv.normed.cols());
  for (int n = 0; n < count; ++n) {
    dx.middleRows(n * pixels, pixels).rowwise() = dpooled.row(n) / static_cast<float>(pixels);
  }
  dx = conv_backward(weights.head_conv, tape.head_conv, count, dx, eps, grad.head_conv);
  for (std::size_t i = weights.stages.size(); i-- > 0;) {
    for (std::size_t j = weights.stages[i].size(); j-- > 0;) {
      const auto& b = weights.stages[i][j];
      const auto& t = tape.stages[i][j];
      auto& g = grad.stages[i][j];
      dx = mbconv_backward(b.mbconv, t.mbconv, count, dx, eps, g.mbconv);
      if (b.attention) dx += attention_backward(*b.attention, *t.attention, count, dx, eps, *g.attention);
    }
  }
  for (std::size_t j = weights.stem_depthwise.size(); j-- > 0;) {
    dx += conv_backward(
        weights.stem_depthwise[j], tape.stem_depthwise[j], count,
        conv_backward(weights.stem_pointwise[j], tape.stem_pointwise[j], count, dx, eps, grad.stem_pointwise[j]), eps,
        grad.stem_depthwise[j]);
  }
  conv_backward(weights.stem, tape.stem, count, dx, eps, grad.stem, false);
}

void add_batch_statistics(const EfficientVitTape& tape, double share, eval::EfficientVitWeights& sums) {
  for_each_conv(sums, tape, [share](ConvLayer& layer, const ConvTape& t) {
    if (!layer.norm) return;
    const auto rows = static_cast<double>(t.conv.rows());
    const double unbiased = rows > 1 ? rows / (rows - 1) : 1.0;
    layer.norm->mean += static_cast<float>(share) * t.mean;
    layer.norm->var += static_cast<float>(share * unbiased) * t.variance;
  });
}

void update_running_statistics(const model::ModelCard& card, eval::EfficientVitWeights& weights,
                               eval::EfficientVitWeights& sums) {
  const auto w = eval::weight_tensors(weights, card);
  const auto s = eval::weight_tensors(sums, card);
  const auto m = static_cast<float>(kBatchNormMomentum);
  for (std::size_t t = 0; t < w.size(); ++t) {
    if (!w[t].name.ends_with(".running_mean") && !w[t].name.ends_with(".running_var")) continue;
    for (std::size_t i = 0; i < w[t].values.size(); ++i) {
      w[t].values[i] = (1.0f - m) * w[t].values[i] + m * s[t].values[i];
      s[t].values[i] = 0.0f;
    }
  }
}

}  // namespace vitdse::train

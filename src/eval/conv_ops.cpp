// Float32 convolutions on Eigen: direct depthwise taps, GEMMs for the rest.
#include "vitdse/eval/conv_ops.hpp"

#include <cmath>

#include "vitdse/core/error.hpp"

namespace vitdse::eval {

int conv_padding(int kernel, int stride) { return ((stride - 1) + (kernel - 1)) / 2; }

namespace {

/// out(pixel, c) = bias(c) + Σ taps x(pixel', c)·w(c, tap): the channels of a row are one vector.
void depthwise(const FeatureMap& x, const FoldedConv& c, FeatureMap& out) {
  const FloatMatrix taps = c.weight.transpose();  // [k·k x channels]
  out.values.resize(x.count * out.pixels(), c.out);
  for (int n = 0; n < x.count; ++n) {
    const auto in = x.values.middleRows(n * x.pixels(), x.pixels());
    for (int oy = 0; oy < out.height; ++oy) {
      for (int ox = 0; ox < out.width; ++ox) {
        auto row = out.values.row(n * out.pixels() + static_cast<Eigen::Index>(oy) * out.width + ox);
        row = c.bias;
        for_each_tap(c, x.height, x.width, oy, ox,
                     [&](int tap, Eigen::Index pixel) { row += in.row(pixel).cwiseProduct(taps.row(tap)); });
      }
    }
  }
}

}  // namespace

FloatMatrix unfold(const FeatureMap& x, const FoldedConv& c, int out_h, int out_w) {
  const int taps = c.kernel * c.kernel;
  const Eigen::Index out_pixels = static_cast<Eigen::Index>(out_h) * out_w;
  FloatMatrix patches = FloatMatrix::Zero(x.count * out_pixels, c.in * taps);
  for (int n = 0; n < x.count; ++n) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        float* row = patches.row(n * out_pixels + static_cast<Eigen::Index>(oy) * out_w + ox).data();
        for_each_tap(c, x.height, x.width, oy, ox, [&](int tap, Eigen::Index pixel) {
          const float* src = x.values.row(n * x.pixels() + pixel).data();
          for (int ch = 0; ch < c.in; ++ch) row[ch * taps + tap] = src[ch];
        });
      }
    }
  }
  return patches;
}

bool is_depthwise(const FoldedConv& c) { return c.groups == c.in && c.groups == c.out && c.kernel > 1; }

FoldedConv fold(const ConvLayer& layer, double eps, int workload_layer) {
  FoldedConv f;
  f.layer = workload_layer;
  f.in = layer.in;
  f.out = layer.out;
  f.kernel = layer.kernel;
  f.stride = layer.stride;
  f.groups = layer.groups;
  f.weight = layer.weight;
  f.bias = layer.bias.value_or(FloatRow::Zero(layer.out));
  f.hswish = layer.hswish;
  if (!layer.norm) return f;
  const BatchNorm& n = *layer.norm;
  for (int o = 0; o < layer.out; ++o) {
    const double scale = static_cast<double>(n.gamma(o)) / std::sqrt(static_cast<double>(n.var(o)) + eps);
    f.weight.row(o) = (layer.weight.row(o).cast<double>() * scale).cast<float>();
    f.bias(o) = static_cast<float>((static_cast<double>(f.bias(o)) - n.mean(o)) * scale + n.beta(o));
  }
  return f;
}

int conv_output_side(int side, int kernel, int stride) {
  return (side + 2 * conv_padding(kernel, stride) - kernel) / stride + 1;
}

void conv2d(const FeatureMap& x, const FoldedConv& c, FeatureMap& out) {
  if (x.values.cols() != c.in || x.values.rows() != x.count * x.pixels()) {
    throw Error("convolution of " + std::to_string(c.in) + " channels given a map of " +
                std::to_string(x.values.cols()) + " channels");
  }
  out.height = conv_output_side(x.height, c.kernel, c.stride);
  out.width = conv_output_side(x.width, c.kernel, c.stride);
  out.count = x.count;
  if (is_depthwise(c)) {
    depthwise(x, c, out);
  } else {
    const bool direct = c.kernel == 1 && c.stride == 1;
    const FloatMatrix patches = direct ? FloatMatrix() : unfold(x, c, out.height, out.width);
    const FloatMatrix& in = direct ? x.values : patches;
    out.values.resize(x.count * out.pixels(), c.out);
    const Eigen::Index group_in = in.cols() / c.groups, group_out = c.out / c.groups;
    for (int g = 0; g < c.groups; ++g) {
      out.values.middleCols(g * group_out, group_out).noalias() =
          in.middleCols(g * group_in, group_in) * c.weight.middleRows(g * group_out, group_out).transpose();
    }
    out.values.rowwise() += c.bias;
  }
  if (c.hswish) hardswish(out.values);
}

void hardswish(FloatMatrix& x) {
  auto a = x.array();
  a = a * (a + 3.0f).max(0.0f).min(6.0f) / 6.0f;
}

}  // namespace vitdse::eval

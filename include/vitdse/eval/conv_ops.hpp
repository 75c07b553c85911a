// Float32 2-D convolutions over channels-last feature maps, for the convolutional model families.
#pragma once

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/efficientvit_weights.hpp"

namespace vitdse::eval {

/// The feature maps of `count` images, channels last and stacked image by image:
/// [count·height·width x channels], pixel (y, x) of image n in row (n·height + y)·width + x.
/// Stacking lets a 1x1 convolution run as one GEMM over every image's pixels.
struct FeatureMap {
  FloatMatrix values;
  int height = 0, width = 0;
  int count = 1;
  [[nodiscard]] Eigen::Index pixels() const { return static_cast<Eigen::Index>(height) * width; }
};

/// A convolution with its batch norm folded in, as inference runs it: out = conv(x) + bias.
struct FoldedConv {
  int layer = -1;  ///< the workload layer of this conv (its index in Workload::layers())
  int in = 0, out = 0, kernel = 1, stride = 1, groups = 1;
  FloatMatrix weight;  ///< [out x (in / groups)·k·k], columns in (c, ky, kx) order
  FloatRow bias;       ///< [out]
  bool hswish = false;
};

/// `layer` with its batch norm (eps as PyTorch's BatchNorm2d) folded into weight and bias, in
/// double; `workload_layer` is recorded as its `layer`.
FoldedConv fold(const ConvLayer& layer, double eps, int workload_layer = -1);

/// timm's padding per side: ((stride - 1) + (kernel - 1)) / 2.
int conv_padding(int kernel, int stride);

/// Calls visit(tap, pixel) for every tap (ky·k + kx) of `conv`'s window at output pixel (oy, ox)
/// that falls inside a height x width map; `pixel` is its input pixel's row, iy·width + ix.
template <class Visit>
void for_each_tap(const FoldedConv& conv, int height, int width, int oy, int ox, Visit&& visit) {
  const int k = conv.kernel, pad = conv_padding(k, conv.stride);
  for (int ky = 0; ky < k; ++ky) {
    const int iy = oy * conv.stride + ky - pad;
    if (iy < 0 || iy >= height) continue;
    for (int kx = 0; kx < k; ++kx) {
      const int ix = ox * conv.stride + kx - pad;
      if (ix >= 0 && ix < width) visit(ky * k + kx, static_cast<Eigen::Index>(iy) * width + ix);
    }
  }
}

/// Each output pixel's k x k input patch under `conv`'s stride and padding, as one row in
/// (c, ky, kx) order, zeros outside the map: [count·out pixels x in·k·k], image by image.
FloatMatrix unfold(const FeatureMap& x, const FoldedConv& conv, int out_height, int out_width);

/// True for a depthwise convolution (one group per channel, kernel above 1), which runs on its own loop.
bool is_depthwise(const FoldedConv& conv);

/// Output side of a convolution over `side` pixels with timm's padding, ((stride-1) + (k-1)) / 2.
int conv_output_side(int side, int kernel, int stride);

/// out = conv(x) + bias, then Hardswish where the layer has one, for every stacked image.
/// Depthwise convolutions run a direct loop over the taps; 1x1 convolutions (grouped or not) are
/// GEMMs on the maps themselves; any other is a GEMM on the unfolded patches.
void conv2d(const FeatureMap& x, const FoldedConv& conv, FeatureMap& out);

/// Hardswish in place: x · min(max(x + 3, 0), 6) / 6.
void hardswish(FloatMatrix& x);

}  // namespace vitdse::eval

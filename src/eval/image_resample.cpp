// PIL-compatible resampling (8-bit, separable, antialiased) and timm's resize + centre crop.
#include "image_resample.hpp"

#include <algorithm>
#include <cfenv>
#include <cmath>

#include "vitdse/core/error.hpp"

namespace vitdse::eval::detail {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // PIL's: room for 8-bit samples times coefficients

double bicubic(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

double triangle(double x) {
  x = std::abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

/// For each output sample, the first input sample its filter covers and its fixed-point weights.
struct Taps {
  int width = 0;                  ///< weights per output sample (zero-padded)
  std::vector<int> first, count;  ///< per output sample
  std::vector<std::int32_t> weights;
};

Taps taps(int in_size, int out_size, model::Interpolation filter) {
  const double support_1 = filter == model::Interpolation::bicubic ? 2.0 : 1.0;
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = support_1 * filter_scale;
  Taps t;
  t.width = static_cast<int>(std::ceil(support)) * 2 + 1;
  t.first.resize(static_cast<std::size_t>(out_size));
  t.count.resize(static_cast<std::size_t>(out_size));
  t.weights.assign(static_cast<std::size_t>(out_size) * t.width, 0);
  std::vector<double> w(static_cast<std::size_t>(t.width));
  for (int o = 0; o < out_size; ++o) {
    const double centre = (o + 0.5) * scale;
    const int lo = std::max(static_cast<int>(centre - support + 0.5), 0);
    const int hi = std::min(static_cast<int>(centre + support + 0.5), in_size);
    double sum = 0;
    for (int x = lo; x < hi; ++x) {
      const double v =
          (filter == model::Interpolation::bicubic ? bicubic : triangle)((x - centre + 0.5) / filter_scale);
      w[static_cast<std::size_t>(x - lo)] = v;
      sum += v;
    }
    for (int x = lo; x < hi; ++x) {
      const double v = sum != 0.0 ? w[static_cast<std::size_t>(x - lo)] / sum : w[static_cast<std::size_t>(x - lo)];
      t.weights[static_cast<std::size_t>(o) * t.width + (x - lo)] =
          static_cast<std::int32_t>(v < 0 ? -0.5 + v * (1 << kPrecisionBits) : 0.5 + v * (1 << kPrecisionBits));
    }
    t.first[static_cast<std::size_t>(o)] = lo;
    t.count[static_cast<std::size_t>(o)] = hi - lo;
  }
  return t;
}

std::uint8_t clip8(std::int32_t sum) { return static_cast<std::uint8_t>(std::clamp(sum >> kPrecisionBits, 0, 255)); }

/// Identity taps: a dimension PIL does not resample.
Taps identity(int size) {
  Taps t;
  t.width = 1;
  t.first.resize(static_cast<std::size_t>(size));
  t.count.assign(static_cast<std::size_t>(size), 1);
  t.weights.assign(static_cast<std::size_t>(size), 1 << kPrecisionBits);
  for (int i = 0; i < size; ++i) t.first[static_cast<std::size_t>(i)] = i;
  return t;
}

/// Columns [x0, x0 + w) and rows [y0, y0 + h) of `in` resized to out_w × out_h: the horizontal
/// pass over the input rows the vertical one reads, then the vertical pass; each output sample
/// is computed as for the whole image, so a crop of the resize costs only its own samples.
template <int kChannels>
Image resize_region(const Image& in, int out_w, int out_h, int x0, int y0, int w, int h, model::Interpolation f) {
  const Taps tx = in.width == out_w ? identity(out_w) : taps(in.width, out_w, f);
  const Taps ty = in.height == out_h ? identity(out_h) : taps(in.height, out_h, f);
  const auto sy = [&](int y) { return static_cast<std::size_t>(y); };
  const int row_lo = ty.first[sy(y0)], row_hi = ty.first[sy(y0 + h - 1)] + ty.count[sy(y0 + h - 1)];
  const std::size_t stride = static_cast<std::size_t>(w) * kChannels;
  std::vector<std::uint8_t> mid(static_cast<std::size_t>(row_hi - row_lo) * stride);
  for (int r = row_lo; r < row_hi; ++r) {
    const std::uint8_t* src = in.pixels.data() + static_cast<std::size_t>(r) * in.width * kChannels;
    std::uint8_t* dst = mid.data() + static_cast<std::size_t>(r - row_lo) * stride;
    for (int x = 0; x < w; ++x) {
      const auto o = static_cast<std::size_t>(x0 + x);
      const std::int32_t* wk = tx.weights.data() + o * static_cast<std::size_t>(tx.width);
      const std::uint8_t* s = src + static_cast<std::size_t>(tx.first[o]) * kChannels;
      std::int32_t sum[kChannels];
      for (int c = 0; c < kChannels; ++c) sum[c] = 1 << (kPrecisionBits - 1);
      for (int k = 0; k < tx.count[o]; ++k) {
        for (int c = 0; c < kChannels; ++c) sum[c] += s[k * kChannels + c] * wk[k];
      }
      for (int c = 0; c < kChannels; ++c) dst[static_cast<std::size_t>(x) * kChannels + c] = clip8(sum[c]);
    }
  }
  Image out{w, h, kChannels, std::vector<std::uint8_t>(static_cast<std::size_t>(h) * stride)};
  std::vector<std::int32_t> sum(stride);
  for (int y = 0; y < h; ++y) {
    const auto o = sy(y0 + y);
    const std::int32_t* wk = ty.weights.data() + o * static_cast<std::size_t>(ty.width);
    std::fill(sum.begin(), sum.end(), 1 << (kPrecisionBits - 1));
    for (int k = 0; k < ty.count[o]; ++k) {  // whole rows: the compiler vectorises this loop
      const std::uint8_t* s = mid.data() + static_cast<std::size_t>(ty.first[o] + k - row_lo) * stride;
      for (std::size_t i = 0; i < stride; ++i) sum[i] += s[i] * wk[k];
    }
    std::uint8_t* dst = out.pixels.data() + static_cast<std::size_t>(y) * stride;
    for (std::size_t i = 0; i < stride; ++i) dst[i] = clip8(sum[i]);
  }
  return out;
}

Image resize_crop(const Image& in, int out_w, int out_h, int x0, int y0, int w, int h, model::Interpolation f) {
  if (out_w < 1 || out_h < 1 || in.width < 1 || in.height < 1) {
    throw Error("resize: " + std::to_string(in.width) + "x" + std::to_string(in.height) + " to " +
                std::to_string(out_w) + "x" + std::to_string(out_h) + " is not a resize");
  }
  if (in.channels == 1) return resize_region<1>(in, out_w, out_h, x0, y0, w, h, f);
  if (in.channels == 3) return resize_region<3>(in, out_w, out_h, x0, y0, w, h, f);
  throw Error("resize: images of " + std::to_string(in.channels) + " channels are not resampled");
}

}  // namespace

Image eval_transform(const Image& in, int img_size, double crop_pct, model::Interpolation filter) {
  const int scale_size = static_cast<int>(std::floor(img_size / crop_pct));
  // The geometry is the file's, so that a DCT-scaled decode keeps the whole decode's crop.
  const int width = in.file_width > 0 ? in.file_width : in.width;
  const int height = in.file_height > 0 ? in.file_height : in.height;
  const bool wide = width > height;
  const int shorter = wide ? height : width, longer = wide ? width : height;
  const int resized_long = static_cast<int>(static_cast<double>(scale_size) * longer / shorter);
  const int rw = wide ? resized_long : scale_size, rh = wide ? scale_size : resized_long;
  if (rw < img_size || rh < img_size) {
    throw Error("eval transform: a " + std::to_string(rw) + "x" + std::to_string(rh) + " image is smaller than the " +
                std::to_string(img_size) + "-pixel crop");
  }
  // Python's round() rounds half to even, as nearbyint does in the default rounding mode.
  const int top = static_cast<int>(std::nearbyint((rh - img_size) / 2.0));
  const int left = static_cast<int>(std::nearbyint((rw - img_size) / 2.0));
  return resize_crop(in, rw, rh, left, top, img_size, img_size, filter);
}

}  // namespace vitdse::eval::detail

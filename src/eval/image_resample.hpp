// Internal: timm's evaluation transform on decoded images, resampling as PIL resamples.
#pragma once

#include "image_decode.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval::detail {

/// timm's evaluation transform: the shorter side resized to floor(img_size / crop_pct) (the
/// longer in proportion, truncated, as torchvision's Resize computes it), then the centre
/// img_size × img_size (offsets rounded half to even, as Python's round()). The resize is PIL's
/// Image.resize with its bilinear or bicubic (a = -0.5) filter: separable, horizontal pass
/// first, the filter widened by the scale factor when shrinking (antialiasing), coefficients in
/// 22-bit fixed point, each pass rounded and clipped to 8 bits; only the cropped samples are
/// computed.
Image eval_transform(const Image& in, int img_size, double crop_pct, model::Interpolation filter);

}  // namespace vitdse::eval::detail

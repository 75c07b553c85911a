// Internal: JPEG and PNG files decoded to 8-bit pixels, converted to grey or RGB as PIL's
// Image.convert("L") and convert("RGB") convert them, which is what timm's loaders do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace vitdse::eval::detail {

/// An 8-bit image, rows of `width` pixels of `channels` interleaved samples (1: grey, 3: RGB).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<std::uint8_t> pixels;
  /// The file's own size, when DCT scaling decoded it smaller (0: width and height).
  int file_width = 0, file_height = 0;
};

/// Decodes a JPEG (grey, YCbCr or Adobe CMYK) or PNG (grey, palette, RGB, with or without alpha;
/// 16-bit samples keep their high byte) file into `channels` (1 or 3) channels. Alpha is dropped,
/// as PIL's convert() drops it. An unreadable, truncated or non-image file is an Error naming it.
/// With `min_short_side` > 0, a JPEG is decoded at the smallest of libjpeg's M/8 DCT scalings
/// that keeps that many pixels on its shorter side (PNGs are always decoded whole).
Image decode_image(const std::filesystem::path& file, int channels, int min_short_side = 0);

/// True when the file's name ends in a suffix this decoder reads (.jpg, .jpeg, .png; any case).
bool is_image_file(const std::filesystem::path& file);

}  // namespace vitdse::eval::detail

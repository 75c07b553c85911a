// JPEG through libjpeg(-turbo), PNG through libpng, and PIL's mode conversions to L and RGB.
#include "image_decode.hpp"

#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <array>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::eval::detail {

namespace {

using Bytes = std::vector<std::uint8_t>;

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& why) {
  throw Error(file.string() + ": cannot read the image: " + why);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open(const std::filesystem::path& file) {
  File f(std::fopen(file.c_str(), "rb"));
  if (!f) fail(file, std::strerror(errno));
  return f;
}

/// PIL's "L" from RGB: ITU-R 601-2 luma in 16-bit fixed point, rounded.
std::uint8_t luma(const std::uint8_t* rgb) {
  return static_cast<std::uint8_t>((rgb[0] * 19595 + rgb[1] * 38470 + rgb[2] * 7471 + 0x8000) >> 16);
}

/// PIL's "RGB" from CMYK: each channel (255 - k) - c·(255 - k)/255, rounded as PIL rounds.
void cmyk_to_rgb(const std::uint8_t* cmyk, std::uint8_t* rgb) {
  const int nk = 255 - cmyk[3];
  for (int c = 0; c < 3; ++c) {
    const int t = cmyk[c] * nk + 128;
    rgb[c] = static_cast<std::uint8_t>(std::clamp(nk - (((t >> 8) + t) >> 8), 0, 255));
  }
}

/// `in` (grey or RGB, interleaved) as `channels` channels, as PIL's convert() would.
Image convert(Image in, int channels) {
  if (in.channels == channels) return in;
  Image out{in.width,      in.height,     channels, Bytes(static_cast<std::size_t>(in.width) * in.height * channels),
            in.file_width, in.file_height};
  const std::size_t n = static_cast<std::size_t>(in.width) * in.height;
  for (std::size_t i = 0; i < n; ++i) {
    if (channels == 3) {
      std::fill_n(out.pixels.data() + 3 * i, 3, in.pixels[i]);
    } else {
      out.pixels[i] = luma(in.pixels.data() + 3 * i);
    }
  }
  return out;
}

// ---- JPEG ---------------------------------------------------------------------------------
// libjpeg reports errors by calling error_exit, which must not return: it jumps back to the
// decoding function, which holds no object with a destructor between setjmp and the jump.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  std::array<char, JMSG_LENGTH_MAX> message;
};

void jpeg_fail(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message.data());
  std::longjmp(e->jump, 1);
}

/// Warnings (a truncated file, corrupt data) are errors too: PIL refuses truncated images.
void jpeg_message(j_common_ptr cinfo, int level) {
  if (level < 0) jpeg_fail(cinfo);
}

/// Decodes into `out` (interleaved grey, RGB or inverted Adobe CMYK); returns false with
/// `error.message` set on failure.
bool decode_jpeg_raw(std::FILE* f, int min_short_side, Image& out, JpegError& error) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&error.mgr);
  error.mgr.error_exit = jpeg_fail;
  error.mgr.emit_message = jpeg_message;
  if (setjmp(error.jump) != 0) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f);
  jpeg_read_header(&cinfo, TRUE);
  if (min_short_side > 0) {
    // DCT scaling: the smallest M/8 reduction whose shorter side (ceil(side * M / 8)) keeps
    // min_short_side pixels.
    const auto shorter = static_cast<long>(std::min(cinfo.image_width, cinfo.image_height));
    int m = 1;
    while (m < 8 && (shorter * m + 7) / 8 < min_short_side) ++m;
    cinfo.scale_num = static_cast<unsigned>(m);
    cinfo.scale_denom = 8;
  }
  // libjpeg's defaults (accurate integer IDCT, fancy upsampling) are PIL's.
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : cinfo.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out.width = static_cast<int>(cinfo.output_width);
  out.height = static_cast<int>(cinfo.output_height);
  out.channels = cinfo.output_components;
  out.file_width = static_cast<int>(cinfo.image_width);
  out.file_height = static_cast<int>(cinfo.image_height);
  out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * out.channels);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + static_cast<std::size_t>(cinfo.output_scanline) * out.width * out.channels;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

Image decode_jpeg(const std::filesystem::path& file, int channels, int min_short_side) {
  const File f = open(file);
  Image raw;
  auto error = std::make_unique<JpegError>();
  if (!decode_jpeg_raw(f.get(), min_short_side, raw, *error)) fail(file, std::string("JPEG: ") + error->message.data());
  if (raw.channels == 4) {  // PIL reads CMYK JPEGs as Adobe writes them, inverted
    const std::size_t n = static_cast<std::size_t>(raw.width) * raw.height;
    Image rgb{raw.width, raw.height, 3, Bytes(n * 3), raw.file_width, raw.file_height};
    std::array<std::uint8_t, 4> cmyk{};
    for (std::size_t i = 0; i < n; ++i) {
      for (int c = 0; c < 4; ++c)
        cmyk[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(255 - raw.pixels[4 * i + c]);
      cmyk_to_rgb(cmyk.data(), rgb.pixels.data() + 3 * i);
    }
    raw = std::move(rgb);
  }
  return convert(std::move(raw), channels);
}

// ---- PNG ----------------------------------------------------------------------------------
/// What decoding a PNG keeps outside the frame that libpng may jump out of: nothing in that
/// frame has a destructor.
struct PngError {
  std::jmp_buf jump;
  std::array<char, 256> message{};
  Bytes rows;
  std::vector<png_bytep> pointers;
};

void png_fail(png_structp png, png_const_charp text) {
  auto* e = static_cast<PngError*>(png_get_error_ptr(png));
  std::snprintf(e->message.data(), e->message.size(), "%s", text);
  std::longjmp(e->jump, 1);
}

void png_warn(png_structp /*png*/, png_const_charp /*text*/) {}

/// Decodes into `out` as grey or RGB, 8-bit (16-bit grey saturates at 255, as PIL's "I" to "L"
/// conversion does; 16-bit colour keeps the high byte, as PIL reads it); false on failure.
bool decode_png_raw(std::FILE* f, Image& out, PngError& error) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &error, png_fail, png_warn);
  if (png == nullptr) return false;
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(error.jump) != 0) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_init_io(png, f);
  png_read_info(png, info);
  const int type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  const bool grey = (type & PNG_COLOR_MASK_COLOR) == 0;
  png_set_expand(png);  // palette to RGB, grey below 8 bits scaled to 8, transparency to alpha
  png_set_strip_alpha(png);
  if (grey && depth == 16) {
    png_set_swap(png);  // little-endian 16-bit samples, saturated below
  } else {
    png_set_strip_16(png);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  out.width = static_cast<int>(png_get_image_width(png, info));
  out.height = static_cast<int>(png_get_image_height(png, info));
  out.channels = grey ? 1 : 3;
  const std::size_t rowbytes = png_get_rowbytes(png, info);
  Bytes& rows = error.rows;
  rows.resize(rowbytes * static_cast<std::size_t>(out.height));
  error.pointers.resize(static_cast<std::size_t>(out.height));
  for (std::size_t r = 0; r < error.pointers.size(); ++r) error.pointers[r] = rows.data() + r * rowbytes;
  png_read_image(png, error.pointers.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  if (grey && depth == 16) {
    out.pixels.resize(static_cast<std::size_t>(out.width) * out.height);
    for (std::size_t i = 0; i < out.pixels.size(); ++i) {
      out.pixels[i] = static_cast<std::uint8_t>(std::min(rows[2 * i] | (rows[2 * i + 1] << 8), 255));
    }
  } else {
    out.pixels = std::move(rows);
  }
  return true;
}

Image decode_png(const std::filesystem::path& file, int channels) {
  const File f = open(file);
  std::array<unsigned char, 8> signature{};
  if (std::fread(signature.data(), 1, 8, f.get()) != 8 || png_sig_cmp(signature.data(), 0, 8) != 0) {
    fail(file, "not a PNG file");
  }
  std::rewind(f.get());
  Image raw;
  auto error = std::make_unique<PngError>();
  if (!decode_png_raw(f.get(), raw, *error)) fail(file, std::string("PNG: ") + error->message.data());
  return convert(std::move(raw), channels);
}

std::string lower_extension(const std::filesystem::path& file) {
  std::string e = file.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

}  // namespace

bool is_image_file(const std::filesystem::path& file) {
  const std::string e = lower_extension(file);
  return e == ".jpg" || e == ".jpeg" || e == ".png";
}

Image decode_image(const std::filesystem::path& file, int channels, int min_short_side) {
  if (channels != 1 && channels != 3) {
    throw Error(file.string() + ": images decode to 1 or 3 channels, not " + std::to_string(channels));
  }
  // By content, not name: a PNG saved as .jpg still decodes.
  std::array<unsigned char, 8> head{};
  {
    const File f = open(file);
    if (std::fread(head.data(), 1, head.size(), f.get()) < 3) fail(file, "the file is too short to be an image");
  }
  if (png_sig_cmp(head.data(), 0, 8) == 0) return decode_png(file, channels);
  if (head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return decode_jpeg(file, channels, min_short_side);
  fail(file, "neither a JPEG nor a PNG file");
}

}  // namespace vitdse::eval::detail

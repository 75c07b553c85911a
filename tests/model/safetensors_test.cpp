// safetensors: bit-exact round trips, half/bfloat16 conversions, and one-line errors for corrupt files.
#include "vitdse/model/safetensors.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::model {

namespace {

using test::error_of;
using test::TempDir;

std::string le64(std::uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
  return out;
}

/// A file made of the 8-byte length of `header`, `header`, then `buffer`.
std::string crafted(const std::string& header, const std::string& buffer = "") {
  return le64(header.size()) + header + buffer;
}

/// The error from opening a file with these bytes; the message must be one line naming the file.
std::string open_error(const std::string& bytes) {
  TempDir dir;
  const auto path = dir.write("bad.safetensors", bytes);
  const auto message = error_of([&] { SafetensorsFile file(path); });
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  if (!message.empty()) {
    EXPECT_NE(message.find("bad.safetensors"), std::string::npos) << message;
  }
  return message;
}

std::string one_tensor(const std::string& entry) { return R"({"w":)" + entry + "}"; }

std::uint32_t bits(float f) { return std::bit_cast<std::uint32_t>(f); }

std::string u16s(std::initializer_list<std::uint16_t> values) {
  std::string out;
  for (auto v : values) {
    out.push_back(static_cast<char>(v & 0xffu));
    out.push_back(static_cast<char>(v >> 8));
  }
  return out;
}

}  // namespace

TEST(SafetensorsConvert, HalfKnownValues) {
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(half_to_float(0x03ff), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_EQ(half_to_float(0x0400), std::ldexp(1.0f, -14));     // smallest normal
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(bits(half_to_float(0x8000)), bits(-0.0f));
  EXPECT_EQ(half_to_float(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_to_float(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
  EXPECT_TRUE(std::isnan(half_to_float(0x7c01)));  // signalling NaN stays NaN

  EXPECT_EQ(float_to_half(1.0f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.0f), 0xc000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(float_to_half(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::quiet_NaN()) & 0x7c00, 0x7c00);
  EXPECT_NE(float_to_half(std::numeric_limits<float>::quiet_NaN()) & 0x03ff, 0);
  EXPECT_NE(float_to_half(std::bit_cast<float>(0x7f800001u)) & 0x03ff, 0);  // low-payload NaN is not inf
}

TEST(SafetensorsConvert, HalfRoundsToNearestEven) {
  EXPECT_EQ(float_to_half(65519.0f), 0x7bff);  // below the midpoint to 65536
  EXPECT_EQ(float_to_half(65520.0f), 0x7c00);  // the midpoint ties to even: infinity
  EXPECT_EQ(float_to_half(1e6f), 0x7c00);
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie, even stays
  EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie, odd rounds up
  EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01);
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);                          // tie to even zero
  EXPECT_EQ(float_to_half(std::ldexp(3.0f, -25)), 0x0002);                          // 1.5 ulp: tie to even 2
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25) * 1.0001f), 0x0001);                // above the tie
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -26)), 0x0000);                          // underflow
  EXPECT_EQ(float_to_half(-std::ldexp(1.0f, -30)), 0x8000);                         // signed zero
  EXPECT_EQ(float_to_half(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -26)), 0x0400);  // rounds up to normal
}

TEST(SafetensorsConvert, HalfRoundTripsEveryPattern) {
  for (std::uint32_t h = 0; h <= 0xffff; ++h) {
    const auto half = static_cast<std::uint16_t>(h);
    const float f = half_to_float(half);
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(half_to_float(float_to_half(f)))) << h;
    } else {
      EXPECT_EQ(float_to_half(f), half) << h;
    }
  }
}

TEST(SafetensorsConvert, BFloat16KnownValues) {
  EXPECT_EQ(bfloat16_to_float(0x4049), 3.140625f);
  EXPECT_EQ(bfloat16_to_float(0x3f80), 1.0f);
  EXPECT_EQ(bfloat16_to_float(0xc000), -2.0f);
  EXPECT_EQ(bfloat16_to_float(0x0001), std::ldexp(1.0f, -133));  // smallest subnormal
  EXPECT_EQ(bfloat16_to_float(0x7f80), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(bfloat16_to_float(0x7fc0)));

  EXPECT_EQ(float_to_bfloat16(3.140625f), 0x4049);
  EXPECT_EQ(float_to_bfloat16(3.14159265f), 0x4049);
  EXPECT_EQ(float_to_bfloat16(1.0f), 0x3f80);
  EXPECT_EQ(float_to_bfloat16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);      // tie, even stays
  EXPECT_EQ(float_to_bfloat16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);  // tie, odd rounds up
  EXPECT_EQ(float_to_bfloat16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(float_to_bfloat16(-std::numeric_limits<float>::infinity()), 0xff80);
  EXPECT_TRUE(std::isnan(bfloat16_to_float(float_to_bfloat16(std::bit_cast<float>(0x7f800001u)))));
  for (std::uint32_t b = 0; b <= 0xffff; ++b) {
    const float f = bfloat16_to_float(static_cast<std::uint16_t>(b));
    if (!std::isnan(f)) {
      EXPECT_EQ(float_to_bfloat16(f), b) << b;
    }
  }
}

TEST(Safetensors, RoundTripF32IsBitExact) {
  TempDir dir;
  const auto path = dir.path() / "w.safetensors";
  const std::map<std::string, Tensor> tensors{
      {"b.weight",
       {{2, 3},
        {1.5f, -0.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::denorm_min(),
         std::bit_cast<float>(0x7fc12345u), 3.14159265f}}},
      {"a.bias", {{4}, {1, 2, 3, 4}}},
      {"scalar", {{}, {42.0f}}},
      {"empty", {{0, 5}, {}}},
  };
  write_safetensors(path, tensors, {{"format", "pt"}, {"note", "round trip"}});

  SafetensorsFile file(path);
  EXPECT_EQ(file.names(), (std::vector<std::string>{"a.bias", "b.weight", "empty", "scalar"}));
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.metadata().at("note"), "round trip");
  for (const auto& [name, tensor] : tensors) {
    EXPECT_EQ(file.info(name).dtype, Dtype::f32);
    const Tensor back = file.read_f32(name);
    EXPECT_EQ(back.shape, tensor.shape) << name;
    ASSERT_EQ(back.data.size(), tensor.data.size()) << name;
    for (std::size_t i = 0; i < back.data.size(); ++i) EXPECT_EQ(bits(back.data[i]), bits(tensor.data[i])) << name;
  }
  // Names are packed in sorted order and the header is space-padded to a multiple of 8.
  EXPECT_EQ(file.info("a.bias").begin, 0u);
  EXPECT_EQ(file.info("b.weight").begin, 16u);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  EXPECT_EQ(n % 8, 0u);
  EXPECT_EQ(bytes.size(), 8 + n + (4 + 6 + 1) * 4);
  const std::string header = bytes.substr(8, n);
  EXPECT_EQ(header.front(), '{');
  EXPECT_EQ(header.find_last_not_of(' '), header.rfind('}'));
}

TEST(Safetensors, RoundTripHalfAndBFloat16) {
  TempDir dir;
  const std::vector<float> exact{1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24), 0.5f, -0.0f};
  const std::vector<float> rounded{3.14159265f, 0.1f};
  for (Dtype dtype : {Dtype::f16, Dtype::bf16}) {
    const auto path = dir.path() / ("w-" + to_string(dtype) + ".safetensors");
    write_safetensors(path, {{"exact", {{2, 3}, exact}}, {"rounded", {{2}, rounded}}}, {}, dtype);
    SafetensorsFile file(path);
    EXPECT_TRUE(file.metadata().empty());
    EXPECT_EQ(file.info("exact").dtype, dtype);
    EXPECT_EQ(file.info("exact").bytes(), 12u);
    const auto back = file.read_f32("rounded");
    for (std::size_t i = 0; i < rounded.size(); ++i) {
      const float expected = dtype == Dtype::f16 ? half_to_float(float_to_half(rounded[i]))
                                                 : bfloat16_to_float(float_to_bfloat16(rounded[i]));
      EXPECT_EQ(back.data[i], expected);
    }
    if (dtype == Dtype::f16) {
      const auto e = file.read_f32("exact");
      for (std::size_t i = 0; i < exact.size(); ++i) EXPECT_EQ(bits(e.data[i]), bits(exact[i]));
    }
  }
}

TEST(Safetensors, ReadsHalfBFloat16AndDoubleBytes) {
  std::string f64(8, '\0');
  const auto d = std::bit_cast<std::uint64_t>(-0.25);
  for (int i = 0; i < 8; ++i) f64[static_cast<std::size_t>(i)] = static_cast<char>((d >> (8 * i)) & 0xffu);
  const std::string buffer = u16s({0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x7e00}) + u16s({0x4049, 0xff80}) + f64;
  TempDir dir;
  const auto path = dir.write("h.safetensors", crafted(R"({"h":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},)"
                                                       R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},)"
                                                       R"("d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}})",
                                                       buffer));
  SafetensorsFile file(path);
  const auto h = file.read_f32("h");
  EXPECT_EQ(h.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(h.data[0], 1.0f);
  EXPECT_EQ(h.data[1], -2.0f);
  EXPECT_EQ(h.data[2], 65504.0f);
  EXPECT_EQ(h.data[3], std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(h.data[4]));
  EXPECT_TRUE(std::isnan(h.data[5]));
  const auto b = file.read_f32("b");
  EXPECT_EQ(b.data, (std::vector<float>{3.140625f, -std::numeric_limits<float>::infinity()}));
  EXPECT_EQ(file.read_f32("d").data, std::vector<float>{-0.25f});
  EXPECT_EQ(file.read_raw("b"), (std::vector<std::uint8_t>{0x49, 0x40, 0x80, 0xff}));
}

TEST(Safetensors, ReadsIntegerTensors) {
  const std::string buffer = std::string("\x01\x00\xff", 3) + std::string("\xfe\xff\xff\xff", 4) +
                             le64(static_cast<std::uint64_t>(-7)) + le64(~0ull);
  TempDir dir;
  const auto path = dir.write("i.safetensors", crafted(R"({"u8":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                                                       R"("i32":{"dtype":"I32","shape":[1],"data_offsets":[3,7]},)"
                                                       R"("i64":{"dtype":"I64","shape":[1],"data_offsets":[7,15]},)"
                                                       R"("u64":{"dtype":"U64","shape":[1],"data_offsets":[15,23]},)"
                                                       R"("i8":{"dtype":"I8","shape":[1],"data_offsets":[2,3]}})",
                                                       buffer));
  // "i8" shares its byte with "u8": that overlap is an error, so read a copy without it.
  EXPECT_NE(error_of([&] { SafetensorsFile f(path); }).find("overlap"), std::string::npos);
  const auto fixed = dir.write("j.safetensors", crafted(R"({"u8":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
                                                        R"("i32":{"dtype":"I32","shape":[1],"data_offsets":[3,7]},)"
                                                        R"("i64":{"dtype":"I64","shape":[1],"data_offsets":[7,15]},)"
                                                        R"("u64":{"dtype":"U64","shape":[1],"data_offsets":[15,23]},)"
                                                        R"("i8":{"dtype":"I8","shape":[1],"data_offsets":[23,24]}})",
                                                        buffer + "\x80"));
  SafetensorsFile file(fixed);
  EXPECT_EQ(file.read_i64("u8"), (std::vector<std::int64_t>{1, 0, 255}));
  EXPECT_EQ(file.read_i64("i32"), std::vector<std::int64_t>{-2});
  EXPECT_EQ(file.read_i64("i64"), std::vector<std::int64_t>{-7});
  EXPECT_EQ(file.read_i64("i8"), std::vector<std::int64_t>{-128});
  EXPECT_NE(error_of([&] { (void)file.read_i64("u64"); }).find("beyond the int64 range"), std::string::npos);
  EXPECT_NE(error_of([&] { (void)file.read_f32("i64"); }).find("'i64' is I64; a float tensor"), std::string::npos);
}

TEST(Safetensors, FloatTensorAsIntegerIsAnError) {
  TempDir dir;
  const auto path = dir.path() / "f.safetensors";
  write_safetensors(path, {{"x", {{1}, {1.0f}}}});
  SafetensorsFile file(path);
  EXPECT_NE(error_of([&] { (void)file.read_i64("x"); }).find("'x' is F32; an integer tensor"), std::string::npos);
}

TEST(Safetensors, MissingTensorNamesItAndListsSome) {
  TempDir dir;
  const auto path = dir.path() / "m.safetensors";
  std::map<std::string, Tensor> tensors;
  for (int i = 0; i < 8; ++i) tensors["blocks." + std::to_string(i) + ".weight"] = {{1}, {0.0f}};
  write_safetensors(path, tensors);
  SafetensorsFile file(path);
  EXPECT_FALSE(file.contains("blocks.1.wieght"));
  const auto message = error_of([&] { (void)file.read_f32("blocks.1.wieght"); });
  EXPECT_NE(message.find("m.safetensors: no tensor 'blocks.1.wieght'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'blocks.1.weight'"), std::string::npos) << message;
  EXPECT_NE(message.find("available: blocks.0.weight, blocks.1.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("(8 in all)"), std::string::npos) << message;
}

TEST(Safetensors, ShortOrMissingFiles) {
  EXPECT_NE(open_error("").find("0 bytes is too short"), std::string::npos);
  EXPECT_NE(open_error("abcdefg").find("7 bytes is too short"), std::string::npos);
  TempDir dir;
  EXPECT_NE(error_of([&] { SafetensorsFile f(dir.path() / "nope.safetensors"); }).find("no such file"),
            std::string::npos);
  EXPECT_NE(error_of([&] { SafetensorsFile f(dir.path()); }).find("is a directory"), std::string::npos);
}

TEST(Safetensors, HeaderLengthOutOfRange) {
  EXPECT_NE(open_error(le64(1000) + "{}").find("header length 1000 runs past the end of the file (10 bytes)"),
            std::string::npos);
  EXPECT_NE(open_error(le64(1ull << 40) + "{}").find("over the 100 MB limit"), std::string::npos);
  EXPECT_NE(open_error(le64(~0ull) + "{}").find("over the 100 MB limit"), std::string::npos);
}

TEST(Safetensors, HeaderNotJsonOrNotObject) {
  EXPECT_NE(open_error(crafted("{not json")).find("header is not valid JSON"), std::string::npos);
  EXPECT_NE(open_error(crafted("")).find("header is not valid JSON"), std::string::npos);
  EXPECT_NE(open_error(crafted("{\"a\":\n")).find("header is not valid JSON"), std::string::npos);
  EXPECT_NE(open_error(crafted("{\"\xff\":1}")).find("header is not valid JSON"), std::string::npos);  // not UTF-8
  EXPECT_NE(open_error(crafted("[1, 2]")).find("header must be a JSON object"), std::string::npos);
  EXPECT_EQ(open_error(crafted("{}")), "");  // an empty file is valid
  EXPECT_EQ(open_error(crafted("{}      ")), "");
}

TEST(Safetensors, EntryMissingKeysOrWrongTypes) {
  EXPECT_NE(open_error(crafted(one_tensor(R"({"shape":[1],"data_offsets":[0,4]})"), "abcd")).find("has no 'dtype'"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","data_offsets":[0,4]})"), "abcd")).find("has no 'shape'"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[1]})"), "abcd")).find("has no 'data_offsets'"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor("[1]"))).find("must be an object"), std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":5,"shape":[1],"data_offsets":[0,4]})"), "abcd"))
                .find("'dtype' must be a string"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":"1","data_offsets":[0,4]})"), "abcd"))
                .find("'shape' must be a list"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[1],"data_offsets":[4]})"), "abcd"))
                .find("'data_offsets' must be [begin, end]"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[1],"data_offsets":["0","4"]})"), "abcd"))
                .find("'data_offsets' must be [begin, end]"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1})"), "abcd"))
                .find("unknown key 'x'; allowed: dtype, shape, data_offsets"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(R"({"__metadata__":{"a":1}})")).find("'__metadata__' entry 'a' must be a string"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(R"({"__metadata__":[]})")).find("'__metadata__' must be an object"), std::string::npos);
}

TEST(Safetensors, UnknownDtype) {
  const auto message = open_error(crafted(one_tensor(R"({"dtype":"F128","shape":[1],"data_offsets":[0,16]})")));
  EXPECT_NE(message.find("tensor 'w' has unknown dtype 'F128'; allowed: BOOL, U8"), std::string::npos) << message;
}

TEST(Safetensors, BadShapeDimensions) {
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,4]})"), "abcd"))
                .find("'shape' -1 is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,4]})"), "abcd"))
                .find("'shape' 2.5 is not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[1.0],"data_offsets":[0,4]})"), "abcd"))
                .find("is not a non-negative integer"),
            std::string::npos);
  // A product overflowing int64 is a size mismatch, not a wrapped-around match.
  EXPECT_NE(open_error(crafted(one_tensor(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]})")))
                .find("needs more"),
            std::string::npos);
}

TEST(Safetensors, BadDataOffsets) {
  const std::string f32x2 = R"({"dtype":"F32","shape":[2],"data_offsets":)";
  EXPECT_NE(open_error(crafted(one_tensor(f32x2 + "[8,0]}"), "12345678")).find("with begin after end"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(f32x2 + "[-8,0]}"), "12345678")).find("'data_offsets' must be"),
            std::string::npos);
  EXPECT_NE(open_error(crafted(one_tensor(f32x2 + "[0,12]}"), "12345678")).find("past the end of the 8-byte data"),
            std::string::npos);
  const auto mismatch = open_error(crafted(one_tensor(f32x2 + "[0,4]}"), "12345678"));
  EXPECT_NE(mismatch.find("spans 4 bytes but shape [2] of F32 needs 8"), std::string::npos) << mismatch;
}

TEST(Safetensors, OverlappingTensors) {
  const auto message = open_error(crafted(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                          std::string(12, '\0')));
  EXPECT_NE(message.find("tensors 'a' and 'b' overlap"), std::string::npos) << message;
  // Empty tensors take no bytes and may sit anywhere.
  EXPECT_EQ(open_error(crafted(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
                               std::string(8, '\0'))),
            "");
}

TEST(Safetensors, TruncatedFile) {
  TempDir dir;
  const auto path = dir.path() / "t.safetensors";
  write_safetensors(path, {{"a", {{100}, std::vector<float>(100, 1.0f)}}});
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto message = open_error(bytes.substr(0, bytes.size() - 300));
  EXPECT_NE(message.find("past the end of the 100-byte data buffer; the file is truncated"), std::string::npos)
      << message;
}

TEST(Safetensors, DuplicateNameAndControlCharactersStayOnOneLine) {
  EXPECT_NE(open_error(crafted(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                               R"("a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})"))
                .find("names 'a' twice"),
            std::string::npos);
  const auto message = open_error(crafted(one_tensor(R"({"dtype":"F\n32","shape":[1],"data_offsets":[0,4]})")));
  EXPECT_NE(message.find("unknown dtype 'F\\x0a32'"), std::string::npos) << message;
}

TEST(Safetensors, CorruptBytesNeverCrash) {
  // Every prefix and many single-byte corruptions of a valid file either open or throw Error.
  TempDir dir;
  const auto good = dir.path() / "good.safetensors";
  write_safetensors(good, {{"a", {{2, 2}, {1, 2, 3, 4}}}, {"b", {{3}, {5, 6, 7}}}}, {{"k", "v"}}, Dtype::f16);
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto path = dir.path() / "bad.safetensors";
  const auto attempt = [&](const std::string& data) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
    try {
      SafetensorsFile file(path);
      for (const auto& name : file.names()) (void)file.read_f32(name);
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  };
  for (std::size_t n = 0; n < bytes.size(); ++n) attempt(bytes.substr(0, n));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (char c : {'\0', '"', '9', '-', '}', '\xff'}) {
      std::string copy = bytes;
      copy[i] = c;
      attempt(copy);
    }
  }
}

TEST(Safetensors, WriterRejectsBadInput) {
  TempDir dir;
  const auto path = dir.path() / "w.safetensors";
  EXPECT_NE(error_of([&] {
              write_safetensors(path, {{"a", {{2, 2}, {1, 2, 3}}}});
            }).find("tensor 'a' has 3 values but its shape needs 4"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              write_safetensors(path, {{"a", {{-1}, {}}}});
            }).find("negative dimension"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              write_safetensors(path, {{"__metadata__", {{1}, {1}}}});
            }).find("reserved"),
            std::string::npos);
  EXPECT_NE(error_of([&] { write_safetensors(path, {}, {}, Dtype::i32); }).find("cannot write dtype I32"),
            std::string::npos);
  EXPECT_NE(error_of([&] { write_safetensors(path, {{"\xff", {{1}, {1}}}}); }).find("valid UTF-8"), std::string::npos);
  EXPECT_NE(error_of([&] {
              write_safetensors(dir.path() / "no" / "such" / "dir.safetensors", {});
            }).find("cannot open for writing"),
            std::string::npos);
}

}  // namespace vitdse::model

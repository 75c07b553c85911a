// Test helpers: small dataset files written byte by byte (IDX, CIFAR records, gzip, safetensors).
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::test {

/// Expects `f` to throw a one-line Error mentioning `file` and `phrase`.
template <class F>
void expect_error(F&& f, const std::string& file, const std::string& phrase) {
  const std::string message = error_of(f);
  EXPECT_FALSE(message.empty()) << "no error; expected one about " << phrase;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find(file), std::string::npos) << message;
  EXPECT_NE(message.find(phrase), std::string::npos) << message;
}

inline std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>((v >> 16) & 0xffU), static_cast<char>((v >> 8) & 0xffU),
          static_cast<char>(v & 0xffU)};
}

inline std::string bytes(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

/// An IDX image file: magic 00 00 08 03, count, rows, columns, then the pixels.
inline std::string idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                              const std::vector<int>& pixels) {
  return bytes({0, 0, 8, 3}) + be32(count) + be32(rows) + be32(cols) + bytes(pixels);
}

/// An IDX label file: magic 00 00 08 01, count, then the labels.
inline std::string idx_labels(const std::vector<int>& labels) {
  return bytes({0, 0, 8, 1}) + be32(static_cast<std::uint32_t>(labels.size())) + bytes(labels);
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

/// Writes `content` gzip-compressed through zlib.
inline void write_gzip(const std::filesystem::path& path, const std::string& content) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, content.data(), static_cast<unsigned>(content.size())), static_cast<int>(content.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

/// One CIFAR record: label byte(s), then 3x32x32 pixels where pixel i of the record is (seed + i) % 256.
inline std::string cifar_record(const std::vector<int>& labels, int seed) {
  std::string out = bytes(labels);
  for (int i = 0; i < 3 * 32 * 32; ++i) out.push_back(static_cast<char>((seed + i) % 256));
  return out;
}

/// One tensor of a hand-made safetensors file.
struct RawTensor {
  std::string name, dtype;
  std::vector<std::int64_t> shape;
  std::string data;
};

/// A safetensors file of raw tensors (any dtype), packed in the order given.
inline std::string safetensors_bytes(const std::vector<RawTensor>& tensors,
                                     const std::map<std::string, std::string>& metadata = {}) {
  nlohmann::json header = nlohmann::json::object();
  std::string buffer;
  for (const auto& t : tensors) {
    header[t.name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {buffer.size(), buffer.size() + t.data.size()}}};
    buffer += t.data;
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  const std::string text = header.dump();
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xffU));
  return out + text + buffer;
}

/// Little-endian bytes of each value, sizeof(T) each.
template <class T>
std::string le(const std::vector<T>& values) {
  std::string out;
  for (T v : values) {
    char raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));
    out.append(raw, sizeof(T));
  }
  return out;
}

}  // namespace vitdse::test

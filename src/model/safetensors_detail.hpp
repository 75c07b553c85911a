// Internal: byte-order helpers and one-line message pieces shared by the safetensors reader and writer.
#pragma once

#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::model::detail {

/// Reads an unsigned little-endian integer of sizeof(T) bytes, whatever the host byte order.
template <class T>
T load_le(const unsigned char* p) {
  T v = 0;
  for (std::size_t i = sizeof(T); i-- > 0;) v = static_cast<T>((v << 8) | p[i]);
  return v;
}

/// Appends `v` as sizeof(T) little-endian bytes.
template <class T>
void store_le(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

/// An nlohmann::json exception's message without its "[json.exception.parse_error.101] " prefix.
inline std::string json_message(const std::exception& e) {
  std::string text = e.what();
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("] ");
    if (close != std::string::npos) text.erase(0, close + 2);
  }
  return printable(text);
}

/// Opens an existing regular file for binary reading; `what` describes the expected file.
inline std::ifstream open_regular_file(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw Error(printable(path.string() + ": no such file; expected " + what));
  if (std::filesystem::is_directory(status)) {
    throw Error(printable(path.string() + ": is a directory; expected " + what));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(printable(path.string() + ": cannot open for reading; expected " + what));
  return in;
}

}  // namespace vitdse::model::detail

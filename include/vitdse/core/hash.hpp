// Content hashing for design points, weights and cache keys.
#pragma once

#include <string>
#include <string_view>

namespace vitdse {

/// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

/// The short form used in file names, CSV and logs: the first 16 hex digits of SHA-256.
inline std::string short_hash(std::string_view data) { return sha256_hex(data).substr(0, 16); }

}  // namespace vitdse

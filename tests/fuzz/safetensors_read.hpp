// Shared by the safetensors targets: opens a file and reads every tensor the way loaders do.
#pragma once

#include <filesystem>

#include "vitdse/model/safetensors.hpp"

namespace vitdse::fuzz {

/// Opens `path` and reads each tensor through the reader its dtype allows, so every validated
/// header entry is also read back from the data buffer.
inline void read_every_tensor(const std::filesystem::path& path) {
  const model::SafetensorsFile file(path);
  for (const auto& name : file.names()) {
    const auto& info = file.info(name);
    if (info.dtype == model::Dtype::f8_e4m3 || info.dtype == model::Dtype::f8_e5m2) {
      static_cast<void>(file.read_raw(name));
    } else if (model::is_float_dtype(info.dtype)) {
      static_cast<void>(file.read_f32(name));
    } else {
      static_cast<void>(file.read_i64(name));
    }
  }
  static_cast<void>(file.metadata());
}

}  // namespace vitdse::fuzz

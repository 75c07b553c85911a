// Reading a model's state dict from safetensors into its tensors, every shape checked.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace vitdse::eval::detail {

/// One state-dict entry and the floats it fills, C-contiguous in `shape`.
struct TensorSlot {
  std::string name;
  std::vector<std::int64_t> shape;
  float* data = nullptr;
};

/// Fills every slot from the file at `path` (F32, F16, BF16 or F64). A missing or misshapen tensor,
/// or one the model does not have (unless `ignored` says so), is a one-line Error naming it and
/// model `model`.
void read_weight_file(const std::filesystem::path& path, const std::string& model, const std::vector<TensorSlot>& slots,
                      const std::function<bool(const std::string&)>& ignored = {});

/// "[2, 3]".
std::string shape_text(const std::vector<std::int64_t>& shape);

}  // namespace vitdse::eval::detail

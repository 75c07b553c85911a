#include "weight_file.hpp"

#include <set>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::eval::detail {

void read_weight_file(const std::filesystem::path& path, const std::string& model, const std::vector<TensorSlot>& slots,
                      const std::function<bool(const std::string&)>& ignored) {
  const model::SafetensorsFile file(path);
  std::set<std::string> expected;
  for (const auto& slot : slots) {
    expected.insert(slot.name);
    if (!file.contains(slot.name)) {
      throw Error(path.string() + ": missing tensor '" + slot.name + "' that model '" + model + "' needs");
    }
    const auto tensor = file.read_f32(slot.name);
    if (tensor.shape != slot.shape) {
      throw Error(path.string() + ": tensor '" + slot.name + "' has shape " + shape_text(tensor.shape) + "; model '" +
                  model + "' needs " + shape_text(slot.shape));
    }
    std::copy(tensor.data.begin(), tensor.data.end(), slot.data);
  }
  for (const auto& name : file.names()) {
    if (expected.count(name) == 0 && !(ignored && ignored(name))) {
      throw Error(path.string() + ": unexpected tensor '" + name + "' for model '" + model +
                  "' (a different architecture, or a card that does not match these weights?)");
    }
  }
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::vector<std::string> dims;
  for (const auto d : shape) dims.push_back(std::to_string(d));
  return "[" + join(dims, ", ") + "]";
}

}  // namespace vitdse::eval::detail

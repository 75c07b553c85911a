#include "eval/synthetic_weights.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "vitdse/model/safetensors.hpp"

namespace vitdse::test {

namespace {

std::uint64_t fnv1a64(const std::string& text) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const unsigned char b : text) h = (h ^ b) * 0x100000001B3ULL;
  return h;
}

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::vector<float> synthetic_values(const std::string& name, std::int64_t count, double offset, double scale) {
  const std::uint64_t seed = fnv1a64(name);
  std::vector<float> out(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const double u =
        static_cast<double>(mix(seed + static_cast<std::uint64_t>(i + 1) * 0x9E3779B97F4A7C15ULL) >> 11) * 0x1p-53;
    out[static_cast<std::size_t>(i)] = static_cast<float>(offset + scale * (2.0 * u - 1.0));
  }
  return out;
}

std::pair<double, double> synthetic_offset_scale(const std::string& name, const std::vector<std::int64_t>& shape) {
  if (name.ends_with(".running_var")) return {1.0, 0.5};
  if (name.ends_with(".running_mean") || name.ends_with(".bias")) return {0.0, 0.2};
  if (shape.size() == 1) return {1.0, 0.25};
  std::int64_t fan_in = 1;
  for (std::size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
  return {0.0, std::sqrt(3.0 / static_cast<double>(fan_in))};
}

void write_synthetic_weights(const std::filesystem::path& path, const Shapes& keys) {
  std::map<std::string, model::Tensor> tensors;
  for (const auto& [name, shape] : keys) {
    model::Tensor t{shape, {}};
    const auto [offset, scale] = synthetic_offset_scale(name, shape);
    t.data = synthetic_values(name, t.numel(), offset, scale);
    tensors.emplace(name, std::move(t));
  }
  model::write_safetensors(path, tensors);
}

Shapes fixture_keys(const std::filesystem::path& io_file) {
  const model::SafetensorsFile io(io_file);
  Shapes keys;
  const auto json = nlohmann::json::parse(io.metadata().at("keys"));
  for (auto it = json.begin(); it != json.end(); ++it) keys[it.key()] = it.value().get<std::vector<std::int64_t>>();
  return keys;
}

}  // namespace vitdse::test

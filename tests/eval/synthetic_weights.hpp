// The synthetic weights of the EfficientViT fixtures (tests/data/make_efficientvit_fixtures.py):
// every tensor filled by a counter-based generator both sides compute to the bit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vitdse::test {

using Shapes = std::map<std::string, std::vector<std::int64_t>>;

/// offset + scale·(2u - 1) per element, u from FNV-1a 64 of `name` and splitmix64 of the index.
std::vector<float> synthetic_values(const std::string& name, std::int64_t count, double offset, double scale);

/// The generator's (offset, scale) for a state-dict key, as the script's offset_scale().
std::pair<double, double> synthetic_offset_scale(const std::string& name, const std::vector<std::int64_t>& shape);

/// Writes every tensor of `keys` with its synthetic values as float32 safetensors.
void write_synthetic_weights(const std::filesystem::path& path, const Shapes& keys);

/// The `keys` metadata of a fixture's io file: each state-dict key with its shape.
Shapes fixture_keys(const std::filesystem::path& io_file);

}  // namespace vitdse::test

// The test fixtures the benchmarks take their shapes from, and the dataset they read.
#pragma once

#include <string>

namespace vitdse::bench {

/// A file of tests/data/, such as "vit-28x28-random.yaml".
std::string fixture(const std::string& name);

/// Debian's dataset-fashion-mnist.
inline const char* const kFashionMnist = "/usr/share/datasets/fashion-mnist";

}  // namespace vitdse::bench

// The test fixtures the benchmarks take their shapes from.
#pragma once

#include <string>

namespace vitdse::bench {

/// A file of tests/data/, such as "vit-28x28-random.yaml".
std::string fixture(const std::string& name);

}  // namespace vitdse::bench

// Shared by the fuzz targets: scratch files, gzip, and vitdse::Error as the expected outcome.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "vitdse/core/error.hpp"

namespace vitdse::fuzz {

/// This process's own scratch directory, under /dev/shm when it is writable, else $TMPDIR or
/// /tmp. Created on first use and removed at exit.
const std::filesystem::path& scratch_dir();

/// Empties the scratch directory, so files from one input never leak into the next.
void clear_scratch();

/// Writes `bytes` to scratch_dir() / `name` and returns the path.
std::filesystem::path write_scratch(const std::string& name, std::span<const std::uint8_t> bytes);

/// A gzip stream of `bytes` (fast level), so targets reach the decompressing readers with valid
/// streams of fuzzed content as well as with fuzzed streams.
std::vector<std::uint8_t> gzip(std::span<const std::uint8_t> bytes);

/// Runs `body`; an Error is the expected outcome of bad input. Anything else escapes, and
/// libFuzzer reports it as a crash.
template <class Body>
int expect_errors(Body&& body) {
  try {
    body();
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace vitdse::fuzz

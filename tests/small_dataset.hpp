// A few Fashion-MNIST images as an idx directory, for end-to-end tests that start many processes.
#pragma once

#include <cstddef>
#include <filesystem>

namespace vitdse::test {

/// Writes the first `train` and `test` images of Fashion-MNIST (test::kFashionMnist) as raw idx
/// files in `dir` and returns `dir`: a process reading it loads a few kilobytes instead of
/// decompressing 70,000 images, which otherwise is most of a small search's start-up.
std::filesystem::path small_fashion_mnist(const std::filesystem::path& dir, std::size_t train, std::size_t test);

}  // namespace vitdse::test

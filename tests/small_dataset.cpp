// The first images of each Fashion-MNIST split, written back as raw idx files.
#include "small_dataset.hpp"

#include <cstdint>
#include <fstream>
#include <string>

#include "test_util.hpp"
#include "vitdse/eval/dataset.hpp"

namespace vitdse::test {

namespace {

void put_u32(std::ofstream& out, std::uint32_t v) {  // idx headers are big-endian
  const char bytes[] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                        static_cast<char>(v)};
  out.write(bytes, 4);
}

void write_split(const std::filesystem::path& dir, eval::Split split, std::size_t count) {
  const auto data = eval::load_dataset({"idx", kFashionMnist}, split, count);
  const std::string stem = split == eval::Split::train ? "train" : "t10k";
  const auto n = static_cast<std::uint32_t>(data.size());
  std::ofstream images(dir / (stem + "-images-idx3-ubyte"), std::ios::binary);
  put_u32(images, 0x803);
  put_u32(images, n);
  put_u32(images, static_cast<std::uint32_t>(data.height));
  put_u32(images, static_cast<std::uint32_t>(data.width));
  images.write(reinterpret_cast<const char*>(data.bytes.data()), static_cast<std::streamsize>(data.bytes.size()));
  std::ofstream labels(dir / (stem + "-labels-idx1-ubyte"), std::ios::binary);
  put_u32(labels, 0x801);
  put_u32(labels, n);
  for (const int label : data.labels) labels.put(static_cast<char>(label));
}

}  // namespace

std::filesystem::path small_fashion_mnist(const std::filesystem::path& dir, std::size_t train, std::size_t test) {
  std::filesystem::create_directories(dir);
  write_split(dir, eval::Split::train, train);
  write_split(dir, eval::Split::test, test);
  return dir;
}

}  // namespace vitdse::test

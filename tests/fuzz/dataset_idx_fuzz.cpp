// Fuzz target: IDX datasets (MNIST layout), labels and images files, raw or gzipped.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "dataset_check.hpp"
#include "fuzz_util.hpp"

namespace {

// Input: a mode byte, a little-endian 16-bit length L, L bytes of labels file, then the images
// file. Mode bits: 1 gzip the labels, 2 gzip the images, 4 name the files .gz as they are (a
// fuzzed gzip stream), 8 the train split, 16 read at most 3 images.
void write_file(const std::string& name, std::span<const std::uint8_t> bytes, bool compress, bool gz_name) {
  if (compress) {
    vitdse::fuzz::write_scratch(name + ".gz", vitdse::fuzz::gzip(bytes));
  } else {
    vitdse::fuzz::write_scratch(gz_name ? name + ".gz" : name, bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t mode = data[0];
  const std::size_t label_bytes = std::min<std::size_t>(data[1] | (data[2] << 8), size - 3);
  const std::span<const std::uint8_t> labels(data + 3, label_bytes);
  const std::span<const std::uint8_t> images(data + 3 + label_bytes, size - 3 - label_bytes);
  const bool train = (mode & 8) != 0;
  const std::string prefix = train ? "train" : "t10k";
  return vitdse::fuzz::expect_errors([&] {
    vitdse::fuzz::clear_scratch();
    write_file(prefix + "-labels-idx1-ubyte", labels, (mode & 1) != 0, (mode & 4) != 0);
    write_file(prefix + "-images-idx3-ubyte", images, (mode & 2) != 0, (mode & 4) != 0);
    const auto dir = vitdse::fuzz::scratch_dir();
    static_cast<void>(vitdse::eval::detect_dataset_kind(dir));
    vitdse::fuzz::load_and_touch({"idx", dir}, train ? vitdse::eval::Split::train : vitdse::eval::Split::test,
                                 (mode & 16) != 0 ? std::optional<std::size_t>(3) : std::nullopt);
  });
}

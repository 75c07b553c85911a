// Fuzz target: CIFAR-10 and CIFAR-100 binary datasets, raw or gzipped.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dataset_check.hpp"
#include "fuzz_util.hpp"

// Input: a mode byte, then the batch file's bytes. Mode bits: 1 CIFAR-100 (else CIFAR-10),
// 2 gzip the file, 4 name it .gz as it is (a fuzzed gzip stream), 8 the train split (every
// train batch gets the same bytes), 16 read at most 3 images.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  const bool cifar100 = (mode & 1) != 0, train = (mode & 8) != 0;
  std::vector<std::string> names;
  if (cifar100) {
    names = {train ? "train.bin" : "test.bin"};
  } else if (train) {
    names = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
  } else {
    names = {"test_batch.bin"};
  }
  return vitdse::fuzz::expect_errors([&] {
    vitdse::fuzz::clear_scratch();
    const std::vector<std::uint8_t> packed =
        (mode & 2) != 0 ? vitdse::fuzz::gzip(bytes) : std::vector<std::uint8_t>(bytes.begin(), bytes.end());
    for (const auto& name : names) vitdse::fuzz::write_scratch((mode & 6) != 0 ? name + ".gz" : name, packed);
    const auto dir = vitdse::fuzz::scratch_dir();
    static_cast<void>(vitdse::eval::detect_dataset_kind(dir));
    vitdse::fuzz::load_and_touch({cifar100 ? "cifar100" : "cifar10", dir},
                                 train ? vitdse::eval::Split::train : vitdse::eval::Split::test,
                                 (mode & 16) != 0 ? std::optional<std::size_t>(3) : std::nullopt);
  });
}

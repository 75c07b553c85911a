// Dataset benchmarks on Fashion-MNIST (Debian package dataset-fashion-mnist): whole-split loads and batches.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "fixtures.hpp"
#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/model/card.hpp"

namespace {

namespace fs = std::filesystem;
using vitdse::bench::kFashionMnist;
using vitdse::eval::Split;

/// A decompressed copy of the train split in a temporary directory, made once and removed at
/// exit, to time raw reads.
class RawCopy {
 public:
  RawCopy() : dir_(fs::temp_directory_path() / "vitdse-bench-fashion-mnist-raw") {
    fs::create_directories(dir_);
    for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}) {
      gzFile in = gzopen((fs::path(kFashionMnist) / (std::string(name) + ".gz")).c_str(), "rb");
      std::ofstream out(dir_ / name, std::ios::binary);
      char buffer[1 << 16];
      for (int n; in != nullptr && (n = gzread(in, buffer, sizeof buffer)) > 0;) out.write(buffer, n);
      if (in != nullptr) gzclose(in);
    }
  }
  ~RawCopy() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  RawCopy(const RawCopy&) = delete;
  RawCopy& operator=(const RawCopy&) = delete;
  [[nodiscard]] const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

void load_train(benchmark::State& state, const fs::path& dir) {
  std::size_t images = 0;
  for (auto _ : state) {
    const auto data = vitdse::eval::load_dataset({"idx", dir}, Split::train);
    images = data.size();
    benchmark::DoNotOptimize(data.bytes.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * images));
}

// All 60000 training images, gzipped as Debian ships them.
void BM_LoadFashionMnistTrainGzip(benchmark::State& state) {
  if (!fs::exists(kFashionMnist)) return state.SkipWithError("dataset-fashion-mnist is not installed");
  load_train(state, kFashionMnist);
}
BENCHMARK(BM_LoadFashionMnistTrainGzip)->Unit(benchmark::kMillisecond);

// The same files decompressed: the difference is the cost of inflating.
void BM_LoadFashionMnistTrainRaw(benchmark::State& state) {
  if (!fs::exists(kFashionMnist)) return state.SkipWithError("dataset-fashion-mnist is not installed");
  static const RawCopy copy;
  load_train(state, copy.dir());
}
BENCHMARK(BM_LoadFashionMnistTrainRaw)->Unit(benchmark::kMillisecond);

// A normalised batch of 256 test images for vit-fmnist.
void BM_NormaliseBatch256(benchmark::State& state) {
  if (!fs::exists(kFashionMnist)) return state.SkipWithError("dataset-fashion-mnist is not installed");
  const auto data = vitdse::eval::load_dataset({"idx", kFashionMnist}, Split::test);
  const auto card = vitdse::model::load_model_card("vit-fmnist");
  std::vector<std::size_t> indices(256);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  std::vector<float> batch(indices.size() * data.image_size());
  for (auto _ : state) {
    vitdse::eval::normalise_batch(data, card, indices, batch);
    benchmark::DoNotOptimize(batch.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * indices.size()));
}
BENCHMARK(BM_NormaliseBatch256)->Unit(benchmark::kMicrosecond);

}  // namespace

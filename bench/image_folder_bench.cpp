// Decoding and preprocessing an image folder: ImageNet-sized JPEGs (500×375, quality 90, made here
// with libjpeg) to 224×224 RGB through timm's evaluation transform (bicubic, crop_pct 0.875).
// Goal: ≥ 600 images/s on 2 cores. Run: vitdse_bench --benchmark_filter=ImageFolder
#include <benchmark/benchmark.h>
#include <jpeglib.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "vitdse/eval/dataset.hpp"

namespace vitdse::bench::image_folder {  // named: a unity build merges the benchmarks' anonymous namespaces

namespace fs = std::filesystem;
constexpr int kImages = 64, kWidth = 500, kHeight = 375;

/// Writes a smooth RGB picture (edges and gradients compress as photographs do) as a JPEG.
void write_jpeg(const fs::path& file, int seed) {
  std::vector<unsigned char> rgb(static_cast<std::size_t>(kWidth) * kHeight * 3);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      unsigned char* p = rgb.data() + (static_cast<std::size_t>(y) * kWidth + x) * 3;
      p[0] = static_cast<unsigned char>(127 + 127 * std::sin((x + y + seed) / 7.0));
      p[1] = static_cast<unsigned char>(255 * x / kWidth);
      p[2] =
          static_cast<unsigned char>((x - 250) * (x - 250) + (y - 180) * (y - 180) < 90 * 90 ? 255 : y * 255 / kHeight);
    }
  }
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  std::FILE* f = std::fopen(file.c_str(), "wb");
  jpeg_stdio_dest(&c, f);
  c.image_width = kWidth;
  c.image_height = kHeight;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 90, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = rgb.data() + static_cast<std::size_t>(c.next_scanline) * kWidth * 3;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::fclose(f);
}

/// The folder, made once and removed at exit.
struct Folder {
  fs::path dir = fs::temp_directory_path() / "vitdse-bench-imagefolder";
  Folder() {
    for (int i = 0; i < kImages; ++i) {
      const fs::path cls = dir / (i % 2 == 0 ? "even" : "odd");
      fs::create_directories(cls);
      write_jpeg(cls / ("img" + std::to_string(i) + ".jpg"), i);
    }
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

/// Arg: threads.
void BM_ImageFolderImageNetSizedJpegs(benchmark::State& state) {
  static const Folder folder;
  const eval::DatasetSource source("imagefolder", folder.dir,
                                   eval::ImageTransform{3, 224, 0.875, model::Interpolation::bicubic, 2});
  tbb::task_arena arena(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    arena.execute([&] { benchmark::DoNotOptimize(eval::load_dataset(source, eval::Split::test)); });
  }
  state.counters["images/s"] = benchmark::Counter(kImages, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ImageFolderImageNetSizedJpegs)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

/// libjpeg's DCT scaling before the resize. Args: margin (the decoded shorter side kept at this
/// many times the resize's; 0: whole decode, PIL's path), model input size. Counters: the largest
/// difference from the whole decode's bytes, and the share of bytes within 1 of it.
void BM_ImageFolderDctScaling(benchmark::State& state) {
  static const Folder folder;
  const int margin = static_cast<int>(state.range(0)), size = static_cast<int>(state.range(1));
  const auto source = [&](int m) {
    return eval::DatasetSource("imagefolder", folder.dir,
                               eval::ImageTransform{3, size, 0.875, model::Interpolation::bicubic, 2, m});
  };
  const auto whole = eval::load_dataset(source(0), eval::Split::test);
  const auto scaled = eval::load_dataset(source(margin), eval::Split::test);
  int worst = 0;
  std::size_t within = 0;
  for (std::size_t i = 0; i < whole.bytes.size(); ++i) {
    const int d = std::abs(int{whole.bytes[i]} - int{scaled.bytes[i]});
    worst = std::max(worst, d);
    within += d <= 1 ? 1 : 0;
  }
  tbb::task_arena arena(2);
  for (auto _ : state) {
    arena.execute([&] { benchmark::DoNotOptimize(eval::load_dataset(source(margin), eval::Split::test)); });
  }
  state.counters["images/s"] = benchmark::Counter(kImages, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["max_diff"] = worst;
  state.counters["within_1_pct"] = 100.0 * static_cast<double>(within) / static_cast<double>(whole.bytes.size());
}
BENCHMARK(BM_ImageFolderDctScaling)
    ->ArgsProduct({{0, 1, 2, 3, 4}, {224, 32}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace vitdse::bench::image_folder

// Image folders: vitdse's decoding and preprocessing against PIL's, on JPEG and PNG files of mixed
// sizes and modes (tests/data/make_imagefolder.py), and one-line errors for broken folders.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "eval/image_decode.hpp"
#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/sampling.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::eval {
namespace {

namespace fs = std::filesystem;

DatasetSource folder(const fs::path& dir, int channels, model::Interpolation filter, int num_classes = 3) {
  return {"imagefolder", dir, ImageTransform{channels, 32, 0.875, filter, num_classes}};
}

TEST(ImageFolder, PreprocessingMatchesPilsEvaluationTransform) {
  const model::SafetensorsFile expected(test::test_data("imagefolder.expected.safetensors"));
  const auto labels = expected.read_i64("labels");
  for (const auto& [mode, channels] : {std::pair{"RGB", 3}, std::pair{"L", 1}}) {
    for (const auto& [name, filter] :
         {std::pair{"bicubic", model::Interpolation::bicubic}, std::pair{"bilinear", model::Interpolation::bilinear}}) {
      const Dataset d = load_dataset(folder(test::test_data("imagefolder"), channels, filter), Split::test);
      const auto want = expected.read_raw(std::string(mode) + "." + name);
      ASSERT_EQ(d.bytes.size(), want.size()) << mode << " " << name;
      std::size_t exact = 0;
      int worst = 0;
      for (std::size_t i = 0; i < want.size(); ++i) {
        const int diff = std::abs(int{d.bytes[i]} - int{want[i]});
        exact += diff == 0 ? 1 : 0;
        worst = std::max(worst, diff);
      }
      EXPECT_LE(worst, 1) << mode << " " << name;  // within 1/255 everywhere (bit-exact with Debian 12's PIL)
      EXPECT_GE(static_cast<double>(exact), 0.999 * static_cast<double>(want.size())) << mode << " " << name;
      ASSERT_EQ(d.labels.size(), labels.size());
      for (std::size_t i = 0; i < labels.size(); ++i) EXPECT_EQ(d.labels[i], labels[i]) << i;
      EXPECT_EQ(d.num_classes, 3);
    }
  }
}

TEST(ImageFolder, IsRecognisedAndSamplesDecodeOnlyWhatIsAsked) {
  const auto dir = test::test_data("imagefolder");
  EXPECT_EQ(detect_dataset_kind(dir), "imagefolder");
  const Dataset all = load_dataset(folder(dir, 3, model::Interpolation::bicubic), Split::test);
  const Dataset some = load_sample(folder(dir, 3, model::Interpolation::bicubic), Split::test, 4, 9, false);
  const Dataset same = subset(all, sample_indices(all.size(), 4, 9));
  EXPECT_EQ(some.bytes, same.bytes);
  EXPECT_EQ(some.labels, same.labels);
}

TEST(ImageFolder, DctScalingDecodesJpegsJustLargeEnoughAndKeepsTheirGeometry) {
  for (const char* name : {"ant/a.jpg", "ant/sub/c.jpg", "bee/e.jpg", "cat/h.jpeg"}) {
    const auto file = test::test_data(std::string("imagefolder/") + name);
    const detail::Image whole = detail::decode_image(file, 3);
    const int shorter = std::min(whole.width, whole.height);
    for (const int min_side : {4, 10, 30, 100}) {
      SCOPED_TRACE(std::string(name) + " to " + std::to_string(min_side));
      const detail::Image scaled = detail::decode_image(file, 3, min_side);
      const int m = 8 * std::min(scaled.width, scaled.height) / shorter;  // the M of M/8 (every shorter side > 8)
      EXPECT_EQ(std::min(scaled.width, scaled.height), (shorter * m + 7) / 8);
      EXPECT_TRUE(m == 8 || (shorter * m + 7) / 8 >= min_side);
      EXPECT_TRUE(m == 1 || (shorter * (m - 1) + 7) / 8 < min_side);  // one eighth less would be too small
      EXPECT_EQ(scaled.file_width, whole.width);                      // the crop is computed from the file's size
      EXPECT_EQ(scaled.file_height, whole.height);
    }
  }
  // Off by default: PIL's bytes. On: the same crop of the same picture, only resampled differently.
  auto source = folder(test::test_data("imagefolder"), 3, model::Interpolation::bicubic);
  const Dataset pil = load_dataset(source, Split::test);
  source.images.dct_margin = 1;
  const Dataset dct = load_dataset(source, Split::test);
  ASSERT_EQ(dct.bytes.size(), pil.bytes.size());
  double total = 0;
  for (std::size_t i = 0; i < pil.bytes.size(); ++i) total += std::abs(int{dct.bytes[i]} - int{pil.bytes[i]});
  EXPECT_GT(total, 0);                                          // h.jpeg (224x168 to 36) did scale
  EXPECT_LT(total / static_cast<double>(pil.bytes.size()), 4);  // by a few levels on average, not a shifted crop
}

/// A copy of the fixture folder to break.
fs::path copy_fixture(const test::TempDir& dir) {
  const fs::path to = dir.path() / "images";
  fs::copy(test::test_data("imagefolder"), to, fs::copy_options::recursive);
  return to;
}

void expect_folder_error(const DatasetSource& source, const std::string& part) {
  test::expect_one_line_error([&] { (void)load_dataset(source, Split::test); }, part);
}

TEST(ImageFolder, BrokenFilesAndFoldersAreOneLineErrorsNamingThem) {
  const test::TempDir tmp;
  const fs::path dir = copy_fixture(tmp);
  const auto bicubic = model::Interpolation::bicubic;
  expect_folder_error(folder(dir, 3, bicubic, 10), "3 class folders but the model has 10 classes");
  {
    const fs::path jpg = dir / "ant" / "a.jpg";
    const auto size = fs::file_size(jpg);
    fs::resize_file(jpg, size / 2);  // truncated
    expect_folder_error(folder(dir, 3, bicubic), jpg.string());
  }
  const test::TempDir tmp2;
  const fs::path dir2 = copy_fixture(tmp2);
  std::ofstream(dir2 / "bee" / "fake.png") << "not a png at all";
  expect_folder_error(folder(dir2, 3, bicubic), (dir2 / "bee" / "fake.png").string());
  fs::remove(dir2 / "bee" / "fake.png");
  std::ofstream(dir2 / "cat" / "x.bmp") << "BM";
  expect_folder_error(folder(dir2, 3, bicubic), "only JPEG and PNG");
  fs::remove(dir2 / "cat" / "x.bmp");
  fs::create_directories(dir2 / "dog");
  expect_folder_error(folder(dir2, 3, bicubic, 4), "holds no JPEG or PNG image");
  expect_folder_error(folder(tmp2.path() / "empty-nothing", 3, bicubic), "cannot list");
}

}  // namespace
}  // namespace vitdse::eval

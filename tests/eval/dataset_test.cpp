// Datasets: known answers for hand-made IDX, CIFAR and safetensors files, and one-line errors for broken ones.
#include "vitdse/eval/dataset.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "eval/dataset_files.hpp"
#include "test_util.hpp"
#include "vitdse/eval/sampling.hpp"

namespace vitdse::eval {

namespace {

namespace fs = std::filesystem;
using test::be32;
using test::bytes;
using test::expect_error;
using test::idx_images;
using test::idx_labels;
using test::TempDir;
using test::write_file;

// Three 2x3 test images and two 2x3 train images.
const std::vector<int> kTestPixels{0, 1, 2, 3, 4, 5, 255, 254, 128, 127, 64, 32, 9, 8, 7, 6, 5, 4};
const std::vector<int> kTestLabels{0, 7, 3};
const std::vector<int> kTrainPixels{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120};
const std::vector<int> kTrainLabels{1, 2};

/// Writes an idx directory, every file raw or every file gzipped.
void write_idx(const fs::path& dir, bool gzip) {
  const auto put = [&](const std::string& name, const std::string& content) {
    if (gzip) {
      test::write_gzip(dir / (name + ".gz"), content);
    } else {
      write_file(dir / name, content);
    }
  };
  put("t10k-images-idx3-ubyte", idx_images(3, 2, 3, kTestPixels));
  put("t10k-labels-idx1-ubyte", idx_labels(kTestLabels));
  put("train-images-idx3-ubyte", idx_images(2, 2, 3, kTrainPixels));
  put("train-labels-idx1-ubyte", idx_labels(kTrainLabels));
}

std::vector<std::uint8_t> u8(const std::vector<int>& pixels) { return {pixels.begin(), pixels.end()}; }

std::vector<float> unit(const std::vector<int>& pixels) {
  std::vector<float> out;
  for (int p : pixels) out.push_back(static_cast<float>(p) / 255.0f);
  return out;
}

}  // namespace

TEST(IdxDataset, ReadsAHandMadeFileExactly) {
  TempDir dir;
  write_idx(dir.path(), false);
  const Dataset d = load_dataset({"idx", dir.path()}, Split::test);
  EXPECT_EQ(d.size(), 3U);
  EXPECT_EQ(d.channels, 1);
  EXPECT_EQ(d.height, 2);
  EXPECT_EQ(d.width, 3);
  EXPECT_EQ(d.image_size(), 6U);
  EXPECT_EQ(d.num_classes, 8);  // the largest label plus one
  EXPECT_EQ(d.labels, kTestLabels);
  EXPECT_EQ(d.bytes, u8(kTestPixels));
  EXPECT_TRUE(d.floats.empty());
  EXPECT_EQ(d.pixels(), unit(kTestPixels));  // bit for bit: u8 / 255
  EXPECT_EQ(d.pixel(1, 0), 1.0f);
  std::vector<float> image(6);
  d.copy_image(2, image);
  EXPECT_EQ(image, unit({9, 8, 7, 6, 5, 4}));
  EXPECT_EQ(d.source, "idx:" + dir.path().string() + " (test)");

  const Dataset train = load_dataset({"idx", dir.path()}, Split::train);
  EXPECT_EQ(train.labels, kTrainLabels);
  EXPECT_EQ(train.bytes, u8(kTrainPixels));
}

TEST(IdxDataset, GzipReadsTheSameAsRaw) {
  TempDir raw, gz;
  write_idx(raw.path(), false);
  write_idx(gz.path(), true);
  for (Split split : {Split::train, Split::test}) {
    const Dataset a = load_dataset({"idx", raw.path()}, split);
    const Dataset b = load_dataset({"idx", gz.path()}, split);
    EXPECT_EQ(a.bytes, b.bytes);
    EXPECT_EQ(a.labels, b.labels);
  }
}

TEST(IdxDataset, LimitKeepsTheFirstImagesAndTheClassCount) {
  TempDir dir;
  write_idx(dir.path(), true);
  const Dataset d = load_dataset({"idx", dir.path()}, Split::test, 2);
  EXPECT_EQ(d.labels, (std::vector<int>{0, 7}));
  EXPECT_EQ(d.bytes, u8({kTestPixels.begin(), kTestPixels.begin() + 12}));
  EXPECT_EQ(d.num_classes, 8);
  EXPECT_EQ(load_dataset({"idx", dir.path()}, Split::test, 10).size(), 3U);
  EXPECT_EQ(load_dataset({"idx", dir.path()}, Split::test, 0).size(), 0U);
}

TEST(IdxDataset, BrokenFilesGiveOneLineErrorsNamingTheFile) {
  const std::string images = "t10k-images-idx3-ubyte";
  const std::string labels = "t10k-labels-idx1-ubyte";
  const auto check = [&](const std::string& file, const std::string& content, const std::string& phrase) {
    TempDir dir;
    write_idx(dir.path(), false);
    write_file(dir.path() / file, content);
    expect_error([&] { (void)load_dataset({"idx", dir.path()}, Split::test); }, file, phrase);
  };
  const std::string header = be32(3) + be32(2) + be32(3);
  check(images, bytes({0x12, 0x34, 0x56, 0x78}) + header + bytes(kTestPixels), "not an IDX file");
  check(images, bytes({0, 0, 0x0d, 3}) + header + bytes(kTestPixels), "element type 0x0d");
  check(images, bytes({0, 0, 8, 2}) + be32(3) + be32(6) + bytes(kTestPixels), "expected 3");
  check(labels, bytes({0, 0, 8, 3}) + be32(3) + bytes(kTestLabels), "expected 1");
  check(images, bytes({0, 0, 8, 3}) + be32(3), "truncated");
  check(images, idx_images(3, 2, 3, {kTestPixels.begin(), kTestPixels.end() - 1}), "truncated");
  check(images, idx_images(3, 2, 3, kTestPixels) + "x", "past the 3 images");
  check(labels, idx_labels(kTestLabels) + "x", "past the 3 labels");
  check(labels, idx_labels({0, 7}), "holds 2 labels");
  check(images, idx_images(3, 0, 3, {}), "not plausible");
  check(images, idx_images(0, 2, 3, {}), "holds 0 images");
  check(labels, bytes({0, 0, 8, 1}) + be32(4'000'000'000U) + bytes(kTestLabels), "truncated");
  // A header promising far more than the file holds fails before anything is allocated for it.
  check(images, idx_images(3'000'000, 28, 28, kTestPixels), "truncated");
  check(labels, "", "truncated");
}

TEST(IdxDataset, BrokenGzipIsAnError) {
  // Long enough that cutting or garbling the stream lands inside compressed data.
  const std::string name = "t10k-images-idx3-ubyte.gz";
  constexpr std::uint32_t kCount = 4000;
  std::vector<int> pixels(6 * kCount);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<int>((i * 7919) % 251);
  TempDir dir;
  write_idx(dir.path(), true);
  test::write_gzip(dir.path() / "t10k-labels-idx1-ubyte.gz", idx_labels(std::vector<int>(kCount, 1)));
  test::write_gzip(dir.path() / name, idx_images(kCount, 2, 3, pixels));
  EXPECT_EQ(load_dataset({"idx", dir.path()}, Split::test).size(), kCount);
  const std::string good = test::read_file(dir.path() / name);

  write_file(dir.path() / name, good.substr(0, good.size() / 2));
  expect_error([&] { (void)load_dataset({"idx", dir.path()}, Split::test); }, name, "truncated gzip");

  std::string flipped = good;
  flipped[flipped.size() - 6] = static_cast<char>(flipped[flipped.size() - 6] ^ 0x5a);  // in the CRC-32
  write_file(dir.path() / name, flipped);
  expect_error(
      [&] {
        (void)load_dataset({"idx", dir.path()}, Split::test);
      },
      name, "corrupt gzip data (incorrect data check)");

  std::string garbled = good;
  for (std::size_t i = 12; i < 40; ++i) garbled[i] = static_cast<char>(0xff);
  write_file(dir.path() / name, garbled);
  expect_error([&] { (void)load_dataset({"idx", dir.path()}, Split::test); }, name, "gzip");
}

TEST(IdxDataset, MissingFilesAreNamed) {
  TempDir dir;
  write_idx(dir.path(), false);
  fs::remove(dir.path() / "train-labels-idx1-ubyte");
  EXPECT_EQ(load_dataset({"idx", dir.path()}, Split::test).size(), 3U);
  expect_error(
      [&] {
        (void)load_dataset({"idx", dir.path()}, Split::train);
      },
      "train-labels-idx1-ubyte", "no such file");
}

TEST(IdxDataset, RealFashionMnistTestSplit) {
  const fs::path dir = test::kFashionMnist;
  if (!fs::exists(dir)) GTEST_SKIP() << "the Debian package dataset-fashion-mnist is not installed";
  EXPECT_EQ(detect_dataset_kind(dir), "idx");
  const Dataset d = load_dataset({"idx", dir}, Split::test);
  EXPECT_EQ(d.size(), 10000U);
  EXPECT_EQ(d.channels, 1);
  EXPECT_EQ(d.height, 28);
  EXPECT_EQ(d.width, 28);
  EXPECT_EQ(d.num_classes, 10);
  std::vector<int> per_class(10);
  for (int label : d.labels) ++per_class.at(static_cast<std::size_t>(label));
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));  // Fashion-MNIST's test split is balanced
  ASSERT_EQ(d.bytes.size(), 10000U * 784U);
  const auto [lo, hi] = std::minmax_element(d.bytes.begin(), d.bytes.end());
  EXPECT_EQ(*lo, 0);
  EXPECT_EQ(*hi, 255);
}

TEST(CifarDataset, Cifar10ReadsBatchesInOrder) {
  TempDir dir;
  for (int b = 1; b <= 5; ++b) {
    write_file(dir.path() / ("data_batch_" + std::to_string(b) + ".bin"),
               test::cifar_record({b}, 10 * b) + test::cifar_record({9 - b}, 10 * b + 1));
  }
  write_file(dir.path() / "test_batch.bin", test::cifar_record({3}, 200));
  const Dataset test = load_dataset({"cifar10", dir.path()}, Split::test);
  ASSERT_EQ(test.size(), 1U);
  EXPECT_EQ(test.channels, 3);
  EXPECT_EQ(test.height, 32);
  EXPECT_EQ(test.width, 32);
  EXPECT_EQ(test.num_classes, 10);
  EXPECT_EQ(test.labels, std::vector<int>{3});
  // Channel-major, row-major: red plane first, then green, then blue.
  for (int c : {0, 1, 2}) {
    for (int y : {0, 5, 31}) {
      for (int x : {0, 17, 31}) {
        const int i = c * 1024 + y * 32 + x;
        EXPECT_EQ(test.pixel(0, static_cast<std::size_t>(i)), static_cast<float>((200 + i) % 256) / 255.0f);
      }
    }
  }
  const Dataset train = load_dataset({"cifar10", dir.path()}, Split::train);
  EXPECT_EQ(train.labels, (std::vector<int>{1, 8, 2, 7, 3, 6, 4, 5, 5, 4}));
  EXPECT_EQ(train.pixel(3, 0), 21.0f / 255.0f);
  const Dataset first3 = load_dataset({"cifar10", dir.path()}, Split::train, 3);
  EXPECT_EQ(first3.labels, (std::vector<int>{1, 8, 2}));
  EXPECT_TRUE(std::equal(first3.bytes.begin(), first3.bytes.end(), train.bytes.begin()));
  EXPECT_EQ(first3.bytes.size(), 3U * 3072U);
}

TEST(CifarDataset, Cifar100UsesTheFineLabel) {
  TempDir dir;
  fs::create_directory(dir.path() / "cifar-100-binary");  // the official archive's folder
  write_file(dir.path() / "cifar-100-binary" / "test.bin",
             test::cifar_record({19, 99}, 0) + test::cifar_record({0, 42}, 1));
  const Dataset d = load_dataset({"cifar100", dir.path()}, Split::test);
  EXPECT_EQ(d.labels, (std::vector<int>{99, 42}));
  EXPECT_EQ(d.num_classes, 100);
  EXPECT_EQ(detect_dataset_kind(dir.path()), "cifar100");
}

TEST(CifarDataset, BrokenFilesGiveOneLineErrorsNamingTheFile) {
  const auto check = [](const std::string& kind, const std::string& file, const std::string& content,
                        const std::string& phrase) {
    TempDir dir;
    write_file(dir.path() / file, content);
    expect_error([&] { (void)load_dataset({kind, dir.path()}, Split::test); }, file, phrase);
  };
  check("cifar10", "test_batch.bin", test::cifar_record({10}, 0), "label 10");
  check("cifar10", "test_batch.bin", test::cifar_record({1}, 0) + "abc", "last record has 3 of 3073");
  check("cifar10", "test_batch.bin", "", "no records");
  check("cifar100", "test.bin", test::cifar_record({20, 5}, 0), "label 20");
  check("cifar100", "test.bin", test::cifar_record({2, 100}, 0), "label 100");
  check("cifar100", "test.bin", test::cifar_record({2, 5}, 0).substr(0, 3000), "truncated");

  TempDir dir;
  for (int b : {1, 2, 4, 5}) {
    write_file(dir.path() / ("data_batch_" + std::to_string(b) + ".bin"), test::cifar_record({1}, 0));
  }
  expect_error([&] { (void)load_dataset({"cifar10", dir.path()}, Split::train); }, "data_batch_3.bin", "no such file");
}

TEST(SafetensorsDataset, U8ImagesWithIntegerLabels) {
  TempDir dir;
  const fs::path path = dir.path() / "set.safetensors";
  write_file(path, test::safetensors_bytes({{"images", "U8", {2, 1, 3}, bytes({0, 51, 255, 1, 2, 3})},
                                            {"labels", "I64", {2}, test::le<std::int64_t>({4, 0})}}));
  const Dataset d = load_dataset({"safetensors", path}, Split::test);
  EXPECT_EQ(d.channels, 1);
  EXPECT_EQ(d.height, 1);
  EXPECT_EQ(d.width, 3);
  EXPECT_EQ(d.num_classes, 5);
  EXPECT_EQ(d.labels, (std::vector<int>{4, 0}));
  EXPECT_EQ(d.bytes, u8({0, 51, 255, 1, 2, 3}));
  EXPECT_EQ(d.pixel(0, 1), 0.2f);
  expect_error(
      [&] {
        (void)load_dataset({"safetensors", path}, Split::train);
      },
      "set.safetensors", "no tensor 'train_images'");
}

TEST(SafetensorsDataset, FloatImagesAndBothSplits) {
  TempDir dir;
  const fs::path path = dir.path() / "set.safetensors";
  const std::vector<float> pixels{0.0f, 0.25f, 0.5f, 1.0f};
  write_file(path, test::safetensors_bytes({{"train_images", "F32", {1, 2, 1, 2}, test::le(pixels)},
                                            {"train_labels", "U8", {1}, bytes({7})},
                                            {"images", "U8", {1, 2, 1, 2}, bytes({1, 2, 3, 4})},
                                            {"labels", "I32", {1}, test::le<std::int32_t>({2})}},
                                           {{"num_classes", "10"}}));
  const Dataset train = load_dataset({"safetensors", path}, Split::train);
  EXPECT_EQ(train.channels, 2);
  EXPECT_EQ(train.floats, pixels);
  EXPECT_TRUE(train.bytes.empty());
  EXPECT_EQ(train.pixels(), pixels);
  EXPECT_EQ(train.labels, std::vector<int>{7});
  EXPECT_EQ(train.num_classes, 10);
  EXPECT_EQ(load_dataset({"safetensors", path}, Split::test).labels, std::vector<int>{2});
}

TEST(SafetensorsDataset, BrokenFilesGiveOneLineErrorsNamingTheFile) {
  using test::RawTensor;
  const RawTensor labels{"labels", "U8", {2}, bytes({0, 1})};
  const auto check = [](const std::vector<RawTensor>& tensors, const std::string& phrase,
                        const std::map<std::string, std::string>& metadata = {}) {
    TempDir dir;
    write_file(dir.path() / "bad.safetensors", test::safetensors_bytes(tensors, metadata));
    expect_error(
        [&] {
          (void)load_dataset({"safetensors", dir.path() / "bad.safetensors"}, Split::test);
        },
        "bad.safetensors", phrase);
  };
  const RawTensor images{"images", "U8", {2, 1, 1}, bytes({0, 1})};
  check({images}, "no tensor 'labels'");
  check({{"images", "U8", {2, 2}, bytes({0, 1, 2, 3})}, labels}, "[N,C,H,W] or [N,H,W]");
  check({{"images", "U8", {2, 1, 0}, ""}, labels}, "sides in 1..");
  check({{"images", "F32", {2, 1, 1}, test::le<float>({0.5f, 1.5f})}, labels}, "holds 1.5 at element 1");
  check({{"images", "F32", {2, 1, 1}, test::le<float>({0.5f, NAN})}, labels}, "must be in [0, 1]");
  check({{"images", "I32", {2, 1, 1}, test::le<std::int32_t>({0, 1})}, labels}, "U8 or a float type");
  check({images, {"labels", "U8", {3}, bytes({0, 1, 2})}}, "holds 2 images");
  check({images, {"labels", "F32", {2}, test::le<float>({0, 1})}}, "integer type");
  check({images, {"labels", "I64", {2}, test::le<std::int64_t>({0, -1})}}, "label -1 at element 1");
  check({images, {"labels", "U8", {2}, bytes({0, 9})}}, "num_classes is 5", {{"num_classes", "5"}});
  check({images, labels}, "num_classes", {{"num_classes", "ten"}});
}

TEST(DatasetKinds, AreRecognisedFromContents) {
  TempDir idx, cifar, empty;
  write_idx(idx.path(), true);
  fs::create_directory(cifar.path() / "cifar-10-batches-bin");
  write_file(cifar.path() / "cifar-10-batches-bin" / "test_batch.bin", test::cifar_record({1}, 0));
  const auto st = idx.write("x.safetensors", "");
  EXPECT_EQ(dataset_kinds(),
            (std::vector<std::string>{"cifar10", "cifar100", "idx", "imagefolder", "imagelist", "safetensors"}));
  EXPECT_EQ(detect_dataset_kind(idx.path()), "idx");
  EXPECT_EQ(detect_dataset_kind(cifar.path()), "cifar10");
  EXPECT_EQ(detect_dataset_kind(st), "safetensors");
  expect_error([&] { (void)detect_dataset_kind(empty.path()); }, empty.path().string(), "kind:path");
  expect_error([&] { (void)load_dataset({"mnist", idx.path()}, Split::test); }, "mnist", "kinds: cifar10");
  EXPECT_EQ(load_dataset({"cifar10", cifar.path()}, Split::test).size(), 1U);
}

TEST(DatasetSubset, CopiesTheChosenImagesInOrder) {
  TempDir dir;
  write_idx(dir.path(), false);
  const Dataset d = load_dataset({"idx", dir.path()}, Split::test);
  const std::vector<std::size_t> pick{2, 0, 2};
  const Dataset s = subset(d, pick);
  EXPECT_EQ(s.labels, (std::vector<int>{3, 0, 3}));
  EXPECT_EQ(s.num_classes, d.num_classes);
  std::vector<float> a(d.image_size()), b(d.image_size());
  for (std::size_t k = 0; k < pick.size(); ++k) {
    s.copy_image(k, a);
    d.copy_image(pick[k], b);
    EXPECT_EQ(a, b);
  }
  const std::vector<std::size_t> bad{3};
  expect_error([&] { (void)subset(d, bad); }, "index 3", "holds 3 images");
}

TEST(CalibrationSet, IsASeededSampleOfTheTrainSplit) {
  TempDir dir;
  write_idx(dir.path(), false);
  const Dataset calib = load_calibration_set({"idx", dir.path()}, 2, 7);
  const Dataset train = load_dataset({"idx", dir.path()}, Split::train);
  const Dataset expected = subset(train, sample_indices(train.size(), 2, 7));
  EXPECT_EQ(calib.bytes, expected.bytes);
  EXPECT_EQ(calib.labels, expected.labels);
  EXPECT_NE(calib.source.find("(train) calibration"), std::string::npos) << calib.source;
  expect_error([&] { (void)load_calibration_set({"idx", dir.path()}, 3, 7); }, "3 images", "split of 2");
}

}  // namespace vitdse::eval

// Label lists: a flat folder of images named with their labels gives the images and labels the
// same files give as an image folder, and a broken list is a one-line error naming its line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/dataset.hpp"

namespace vitdse::eval {
namespace {

namespace fs = std::filesystem;

ImageTransform transform(int num_classes = 3) { return {3, 32, 0.875, model::Interpolation::bicubic, num_classes}; }

/// The fixture's images copied flat into `dir` (one renamed with spaces), and lines naming them
/// with their image-folder labels, in reverse order.
std::vector<std::string> flat_copy(const fs::path& dir) {
  const fs::path fixture = test::test_data("imagefolder");
  const Dataset folder = load_dataset({"imagefolder", fixture, transform()}, Split::test);
  const std::vector<std::pair<std::string, int>> files{
      {"ant/a.jpg", 0}, {"ant/b.png", 0}, {"ant/sub/c.jpg", 0}, {"bee/d.png", 1}, {"bee/e.jpg", 1},
      {"bee/f.PNG", 1}, {"cat/g.png", 2}, {"cat/h.jpeg", 2},    {"cat/i.png", 2}, {"cat/j.png", 2}};
  EXPECT_EQ(folder.size(), files.size());  // torchvision's order, as the image-folder test checks
  std::vector<std::string> lines;
  for (std::size_t i = files.size(); i-- > 0;) {
    std::string name = fs::path(files[i].first).filename().string();
    if (i == 4) name = "an image with spaces.jpg";
    fs::copy_file(fixture / files[i].first, dir / name);
    lines.push_back(name + "  " + std::to_string(files[i].second));
  }
  return lines;
}

fs::path write_list(const fs::path& file, const std::vector<std::string>& lines) {
  std::ofstream out(file);
  for (const auto& l : lines) out << l << "\n";
  return file;
}

TEST(ImageList, GivesTheImagesAndLabelsOfTheSameFilesAsAnImageFolder) {
  const test::TempDir tmp;
  auto lines = flat_copy(tmp.path());
  lines.insert(lines.begin(), "# ImageNet-style: FILE LABEL");
  lines.insert(lines.begin() + 3, "");
  lines[5] += "\r";  // a list written on Windows
  const auto list = write_list(tmp.path() / "val.txt", lines);
  const Dataset listed = load_dataset({"imagelist", list, transform()}, Split::test);
  const Dataset folder = load_dataset({"imagefolder", test::test_data("imagefolder"), transform()}, Split::test);
  ASSERT_EQ(listed.size(), folder.size());
  EXPECT_EQ(listed.num_classes, 3);
  const std::size_t n = folder.size(), pixels = folder.image_size();
  for (std::size_t i = 0; i < n; ++i) {  // the list is in reverse order
    const std::size_t j = n - 1 - i;
    EXPECT_EQ(listed.labels[i], folder.labels[j]) << i;
    EXPECT_TRUE(std::equal(listed.bytes.begin() + static_cast<std::ptrdiff_t>(i * pixels),
                           listed.bytes.begin() + static_cast<std::ptrdiff_t>((i + 1) * pixels),
                           folder.bytes.begin() + static_cast<std::ptrdiff_t>(j * pixels)))
        << i;
  }
  // Named by kind, since a text file is not recognised by its contents.
  EXPECT_THROW((void)detect_dataset_kind(list), Error);
}

void expect_list_error(const fs::path& list, const std::string& part, int num_classes = 3) {
  test::expect_one_line_error(
      [&] {
        (void)load_dataset({"imagelist", list, transform(num_classes)}, Split::test);
      },
      part);
}

TEST(ImageList, BrokenListsAreOneLineErrorsNamingTheLine) {
  const test::TempDir tmp;
  const auto lines = flat_copy(tmp.path());
  const fs::path list = tmp.path() / "list.txt";
  const std::string at2 = list.string() + ":2: ";
  expect_list_error(write_list(list, {lines[0], "j.png"}), at2 + "expected 'FILE LABEL'");
  expect_list_error(write_list(list, {lines[0], "j.png cat"}), at2 + "the label 'cat' is not a class index");
  expect_list_error(write_list(list, {lines[0], "j.png -1"}), "not a class index");
  expect_list_error(write_list(list, {lines[0], "j.png 3"}), at2 + "label 3 is out of range: the model has 3");
  expect_list_error(write_list(list, {lines[0], "missing.png 1"}), "missing.png: no such image file");
  std::ofstream(tmp.path() / "fake.png") << "not a png";
  expect_list_error(write_list(list, {"fake.png 0"}), "fake.png: cannot read the image");
  expect_list_error(write_list(list, {"# nothing", ""}), "names no image");
  expect_list_error(tmp.path() / "absent.txt", "cannot read the label list");
  // Without a class count from the model, the labels give it.
  const Dataset d = load_dataset({"imagelist", write_list(list, {lines[0], "j.png 6"}), transform(0)}, Split::test);
  EXPECT_EQ(d.num_classes, 7);
}

}  // namespace
}  // namespace vitdse::eval

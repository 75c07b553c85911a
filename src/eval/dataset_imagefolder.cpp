// The `imagefolder` dataset kind: torchvision's ImageFolder layout of JPEG and PNG files, decoded
// in parallel and brought to the model's input by timm's evaluation transform.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>

#include <spdlog/spdlog.h>

#include "dataset_kinds.hpp"
#include "image_decode.hpp"
#include "image_resample.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval::detail {

namespace fs = std::filesystem;

namespace {

/// torchvision's IMG_EXTENSIONS: files it would take as images. Of these, vitdse decodes JPEG and
/// PNG; the others are an error rather than a silently smaller dataset.
bool torchvision_image(const fs::path& file) {
  std::string e = file.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* x : {".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"}) {
    if (e == x) return true;
  }
  return false;
}

/// A split's files with their labels, in torchvision's order: classes by sorted folder name,
/// then each class's files by sorted (folder, name), subfolders included.
struct FileList {
  std::vector<std::string> classes;
  std::vector<fs::path> files;
  std::vector<int> labels;
};

std::vector<fs::path> sorted_subdirectories(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  return out;
}

/// The folder that holds a split's class folders: DIR/train and DIR/val (or DIR/test) when DIR
/// has both, else DIR itself for either split.
fs::path split_folder(const fs::path& dir, Split split) {
  std::error_code ec;
  const bool has_train = fs::is_directory(dir / "train", ec);
  const fs::path test = fs::is_directory(dir / "val", ec) ? dir / "val" : dir / "test";
  if (has_train && fs::is_directory(test, ec)) return split == Split::train ? dir / "train" : test;
  if (split == Split::train) warn_no_train_split(dir, "has no train/ and val/ folders");
  return dir;
}

FileList list_files(const DatasetSource& source, Split split) {
  const fs::path dir = split_folder(source.path, split);
  FileList list;
  try {
    for (const fs::path& class_dir : sorted_subdirectories(dir)) {
      std::vector<std::pair<std::string, std::string>> found;  // (folder, name), sorted as os.walk's
      for (const auto& entry :
           fs::recursive_directory_iterator(class_dir, fs::directory_options::follow_directory_symlink)) {
        if (!entry.is_regular_file() || !torchvision_image(entry.path())) continue;
        if (!is_image_file(entry.path())) {
          throw Error(entry.path().string() + ": only JPEG and PNG images are read (convert it, or move it out of " +
                      dir.string() + ")");
        }
        found.emplace_back(entry.path().parent_path().string(), entry.path().filename().string());
      }
      if (found.empty()) throw Error(class_dir.string() + ": the class folder holds no JPEG or PNG image");
      std::sort(found.begin(), found.end());
      for (const auto& [folder, name] : found) {
        list.files.push_back(fs::path(folder) / name);
        list.labels.push_back(static_cast<int>(list.classes.size()));
      }
      list.classes.push_back(class_dir.filename().string());
    }
  } catch (const fs::filesystem_error& e) {
    throw Error(dir.string() + ": cannot list the image folder: " + e.code().message());
  }
  if (list.classes.empty()) {
    throw Error(dir.string() +
                ": no class folders (imagefolder takes DIR/<class>/<image> files, as torchvision's "
                "ImageFolder, optionally under DIR/train and DIR/val)");
  }
  const int expected = source.images.num_classes;
  if (expected > 0 && static_cast<int>(list.classes.size()) != expected) {
    throw Error(dir.string() + " has " + std::to_string(list.classes.size()) + " class folders but the model has " +
                std::to_string(expected) + " classes");
  }
  return list;
}

Dataset load_images(const DatasetSource& source, Split split, const Choice& choose) {
  const FileList list = list_files(source, split);
  return load_chosen_files({list.files, list.labels, static_cast<int>(list.classes.size())}, source, choose);
}

bool recognises_imagefolder(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return false;
  try {  // class folders (or train/ and val/ holding them) with an image in the first one
    const fs::path dir = fs::is_directory(path / "train", ec) ? path / "train" : path;
    const auto classes = sorted_subdirectories(dir);
    if (classes.empty()) return false;
    for (const auto& entry : fs::recursive_directory_iterator(classes.front())) {
      if (entry.is_regular_file() && is_image_file(entry.path())) return true;
    }
  } catch (const fs::filesystem_error&) {
  }
  return false;
}

}  // namespace

void warn_no_train_split(const fs::path& origin, const std::string& why) {
  static std::once_flag warned;
  std::call_once(warned, [&] { spdlog::warn("{} {}: calibrating on the images it evaluates", origin.string(), why); });
}

Dataset load_chosen_files(const LabelledFiles& list, const DatasetSource& source, const Choice& choose) {
  std::vector<fs::path> files;
  std::vector<int> labels;
  for (const std::size_t i : choose(list.files.size())) {
    if (i >= list.files.size()) {
      throw Error(source.path.string() + ": image " + std::to_string(i) + " of " + std::to_string(list.files.size()) +
                  " requested");
    }
    files.push_back(list.files[i]);
    labels.push_back(list.labels[i]);
  }
  Dataset d = load_image_files(files, source.images);
  d.labels = std::move(labels);
  d.num_classes = list.num_classes;
  return d;
}

DatasetKind imagefolder_kind() {
  return {
      "imagefolder",
      "a directory of class folders of JPEG/PNG files (torchvision's ImageFolder), optionally under train/ and val/",
      recognises_imagefolder, nullptr, load_images};
}

}  // namespace vitdse::eval::detail

namespace vitdse::eval {

namespace fs = std::filesystem;

Dataset load_image_files(std::span<const fs::path> files, const ImageTransform& t) {
  Dataset d;
  d.channels = t.channels;
  d.height = d.width = t.img_size;
  d.num_classes = 1;
  const std::size_t pixels = d.image_size(), plane = static_cast<std::size_t>(t.img_size) * t.img_size;
  d.bytes.resize(files.size() * pixels);
  d.labels.assign(files.size(), 0);
  const int min_short_side =
      t.dct_margin > 0 ? t.dct_margin * static_cast<int>(std::floor(t.img_size / t.crop_pct)) : 0;
  tbb::parallel_for(std::size_t{0}, files.size(), [&](std::size_t k) {
    const detail::Image image = detail::eval_transform(detail::decode_image(files[k], t.channels, min_short_side),
                                                       t.img_size, t.crop_pct, t.interpolation);
    std::uint8_t* out = d.bytes.data() + k * pixels;  // interleaved to channel-major
    for (std::size_t p = 0; p < plane; ++p) {
      for (int c = 0; c < t.channels; ++c)
        out[static_cast<std::size_t>(c) * plane + p] = image.pixels[p * t.channels + c];
    }
  });
  return d;
}

std::vector<fs::path> list_image_files(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (!fs::is_regular_file(path, ec)) throw Error(path.string() + ": no such image file or folder");
    return {path};
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
    if (entry.is_regular_file() && detail::is_image_file(entry.path())) files.push_back(entry.path());
  }
  if (ec) throw Error(path.string() + ": cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error(path.string() + ": the folder holds no JPEG or PNG image");
  return files;
}

}  // namespace vitdse::eval

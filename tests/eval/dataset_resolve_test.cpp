// Dataset resolution: --data beats VITDSE_DATA beats the card, and a missing dataset says how to get one.
#include <gtest/gtest.h>

#include <cstdlib>

#include "eval/dataset_files.hpp"
#include "test_util.hpp"
#include "vitdse/eval/dataset.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

namespace {

namespace fs = std::filesystem;
using test::expect_error;
using test::TempDir;

/// Sets VITDSE_DATA (or unsets it for nullptr) for one scope, restoring it afterwards.
class DataEnv {
 public:
  explicit DataEnv(const char* value) {
    if (const char* old = std::getenv("VITDSE_DATA")) old_ = old;
    set(value);
  }
  ~DataEnv() { set(old_ ? old_->c_str() : nullptr); }
  DataEnv(const DataEnv&) = delete;
  DataEnv& operator=(const DataEnv&) = delete;

 private:
  static void set(const char* value) {
    if (value != nullptr) {
      setenv("VITDSE_DATA", value, 1);
    } else {
      unsetenv("VITDSE_DATA");
    }
  }
  std::optional<std::string> old_;
};

/// An idx directory and a cifar10 directory, each holding one test file.
struct Dirs {
  TempDir idx, cifar;
  Dirs() {
    test::write_file(idx.path() / "t10k-images-idx3-ubyte", test::idx_images(1, 1, 1, {7}));
    test::write_file(cifar.path() / "test_batch.bin", test::cifar_record({1}, 0));
  }
};

model::ModelCard card_with(const std::optional<fs::path>& dataset) {
  model::ModelCard card;
  card.name = "tiny-model";
  card.source = "models/m.yaml";
  if (dataset) {
    card.dataset_kind = "idx";
    card.dataset_path = *dataset;
  }
  return card;
}

}  // namespace

TEST(ResolveDataset, FlagBeatsEnvironmentBeatsCard) {
  Dirs dirs;
  const auto card = card_with(dirs.idx.path());
  {
    DataEnv env(nullptr);
    const auto s = resolve_dataset(card, std::nullopt);
    EXPECT_EQ(s.kind, "idx");
    EXPECT_EQ(s.path, dirs.idx.path());
  }
  {
    DataEnv env(dirs.cifar.path().c_str());
    EXPECT_EQ(resolve_dataset(card, std::nullopt).kind, "cifar10");
    const auto s = resolve_dataset(card, "idx:" + dirs.idx.path().string());
    EXPECT_EQ(s.kind, "idx");
    EXPECT_EQ(s.path, dirs.idx.path());
  }
  {
    DataEnv env("");  // set but empty counts as unset
    EXPECT_EQ(resolve_dataset(card, std::nullopt).kind, "idx");
  }
}

TEST(ResolveDataset, KindIsRecognisedOrNamed) {
  Dirs dirs;
  DataEnv env(nullptr);
  const auto card = card_with(std::nullopt);
  EXPECT_EQ(resolve_dataset(card, dirs.cifar.path().string()).kind, "cifar10");
  EXPECT_EQ(resolve_dataset(card, "cifar100:" + dirs.cifar.path().string()).kind, "cifar100");
  expect_error([&] { (void)resolve_dataset(card, "cifar:" + dirs.cifar.path().string()); }, "--data",
               "unknown dataset kind 'cifar' (did you mean 'cifar10'?)");
  expect_error([&] { (void)resolve_dataset(card, ""); }, "--data", "empty");
}

TEST(ResolveDataset, MissingDatasetsSayHowToGetOne) {
  DataEnv env(nullptr);
  TempDir dir;
  const auto gone = (dir.path() / "nothing").string();
  expect_error([&] { (void)resolve_dataset(card_with(std::nullopt), gone); }, gone, "--data or the VITDSE_DATA");
  expect_error([&] { (void)resolve_dataset(card_with(std::nullopt), "idx:" + gone); }, gone, "from --data");
  expect_error([&] { (void)resolve_dataset(card_with(std::nullopt), std::nullopt); }, "models/m.yaml",
               "names no dataset; give one with --data or the VITDSE_DATA");
  expect_error([&] { (void)resolve_dataset(card_with(gone), std::nullopt); }, "models/m.yaml", "dataset not found");
  {
    DataEnv set(gone.c_str());
    expect_error([&] { (void)resolve_dataset(card_with(std::nullopt), std::nullopt); }, gone, "from VITDSE_DATA");
  }
  auto card = card_with(dir.path());
  card.dataset_kind = "mnist";
  expect_error([&] { (void)resolve_dataset(card, std::nullopt); }, "models/m.yaml", "unknown dataset kind 'mnist'");
}

TEST(ResolveDataset, TheDebianDefaultNamesItsPackage) {
  DataEnv env(nullptr);
  const auto card = model::load_model_card("vit-fmnist");
  if (fs::exists(*card.dataset_path)) {
    const auto s = resolve_dataset(card, std::nullopt);
    EXPECT_EQ(s.kind, "idx");
    EXPECT_EQ(s.path, fs::path("/usr/share/datasets/fashion-mnist"));
  } else {
    expect_error([&] { (void)resolve_dataset(card, std::nullopt); }, "fashion-mnist",
                 "install the Debian package dataset-fashion-mnist");
  }
}

}  // namespace vitdse::eval

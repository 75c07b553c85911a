// Which dataset a run uses: --data, then VITDSE_DATA, then the model card's `dataset:` entry.
#include <cstdlib>

#include "dataset_kinds.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/eval/dataset.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

namespace fs = std::filesystem;

namespace {

/// Datasets that Debian packages install, so a missing one can be named.
struct Packaged {
  const char* path;
  const char* package;
};
constexpr Packaged kPackaged[] = {
    {"/usr/share/datasets/fashion-mnist", "dataset-fashion-mnist"},
};

constexpr const char* kOverride = "--data or the VITDSE_DATA environment variable";

/// Throws unless `path` exists, naming the Debian package that installs it when there is one.
void require_exists(const fs::path& path, const std::string& origin) {
  std::error_code ec;
  if (fs::exists(path, ec)) return;
  std::string message = "dataset not found: " + path.string() + " (from " + origin + "); ";
  for (const auto& p : kPackaged) {
    if (path.lexically_normal() == fs::path(p.path)) {
      throw Error(message + "install the Debian package " + p.package + " (apt-get install " + p.package +
                  "), or point " + kOverride + " at a copy");
    }
  }
  throw Error(message + "give an existing dataset directory or .safetensors file through " + kOverride);
}

/// A `--data` or VITDSE_DATA value: an existing path (kind recognised) or `kind:path`.
DatasetSource parse_value(const std::string& value, const std::string& origin) {
  if (value.empty()) throw Error(origin + " is empty; give a dataset path or kind:path");
  std::error_code ec;
  if (fs::exists(value, ec)) return {detect_dataset_kind(value), value};
  const auto colon = value.find(':');
  const std::string prefix = value.substr(0, colon == std::string::npos ? 0 : colon);
  if (prefix.empty() || prefix.find('/') != std::string::npos) {
    require_exists(value, origin);  // a plain path, and it does not exist: throws
  }
  const std::string kind = detail::find_kind(prefix, origin).name;
  const fs::path path = value.substr(colon + 1);
  require_exists(path, origin);
  return {kind, path};
}

/// The dataset by precedence, without the card's image transform.
DatasetSource resolved_source(const model::ModelCard& card, const std::optional<std::string>& data_flag) {
  if (data_flag) return parse_value(*data_flag, "--data");
  if (const char* env = std::getenv("VITDSE_DATA"); env != nullptr && *env != '\0') {
    return parse_value(env, "VITDSE_DATA");
  }
  const std::string card_name = card.source.empty() ? "model '" + card.name + "'" : card.source.string();
  if (!card.dataset_path || !card.dataset_kind) {
    throw Error(card_name + " names no dataset; give one with " + kOverride +
                " (for Fashion-MNIST, install the Debian " + "package " + kPackaged[0].package + ", which puts it in " +
                kPackaged[0].path + ")");
  }
  const std::string kind = detail::find_kind(*card.dataset_kind, card_name + ": dataset").name;
  require_exists(*card.dataset_path, card_name);
  return {kind, *card.dataset_path};
}

}  // namespace

DatasetSource resolve_dataset(const model::ModelCard& card, const std::optional<std::string>& data_flag) {
  DatasetSource source = resolved_source(card, data_flag);
  source.images = image_transform(card);
  return source;
}

}  // namespace vitdse::eval

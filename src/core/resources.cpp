// Resource lookup: environment override, build tree, then install tree.
#include "vitdse/core/resources.hpp"

#include <algorithm>
#include <cstdlib>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace fs = std::filesystem;

namespace vitdse {

fs::path resource_root() {
  if (const char* home = std::getenv("VITDSE_HOME"); home != nullptr && *home != '\0') return home;
  const fs::path source = VITDSE_SOURCE_DIR;
  std::error_code ec;
  if (fs::is_directory(source / "models", ec)) return source;
  return VITDSE_INSTALL_DATADIR;
}

std::vector<std::string> available_resources(std::string_view folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(resource_root() / folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

fs::path resolve_resource(std::string_view name_or_path, std::string_view folder, std::string_view what) {
  const std::string text(name_or_path);
  if (text.empty()) throw Error(std::string(what) + " name is empty");
  const bool looks_like_path = text.find('/') != std::string::npos || (text.size() > 5 && text.ends_with(".yaml"));
  std::error_code ec;
  if (looks_like_path) {
    if (!fs::is_regular_file(text, ec)) throw Error(std::string(what) + " file '" + text + "' does not exist");
    return text;
  }
  const fs::path candidate = resource_root() / folder / (text + ".yaml");
  if (fs::is_regular_file(candidate, ec)) return candidate;
  const auto names = available_resources(folder);
  throw Error("unknown " + std::string(what) + " '" + text + "'" + did_you_mean(text, names) +
              "; available: " + (names.empty() ? std::string("none") : join(names)));
}

}  // namespace vitdse

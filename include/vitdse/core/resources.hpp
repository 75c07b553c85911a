// Finding shipped resources (model cards, technology tables, templates, policies) by name.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vitdse {

/// The folder holding models/ and policies/: $VITDSE_HOME if set, else the source tree the
/// binary was built from, else the installed share/vitdse.
std::filesystem::path resource_root();

/// Resolves a name such as "deit-small" to `<root>/<folder>/deit-small.yaml`. Anything that
/// looks like a path (contains '/' or ends in .yaml) is taken as a path. Unknown names throw
/// an Error listing the available ones, e.g. "unknown model 'x'; available: deit-base, ...".
std::filesystem::path resolve_resource(std::string_view name_or_path, std::string_view folder, std::string_view what);

/// Sorted names (file stems) of the *.yaml files in `<root>/<folder>`.
std::vector<std::string> available_resources(std::string_view folder);

}  // namespace vitdse

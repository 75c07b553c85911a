// vitdse design: validate a design file against a model; print its canonical form and hash.
#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/inputs.hpp"
#include "cli/options.hpp"

namespace vitdse::cli {

int design_command(Context& ctx) {
  po::options_description options("options");
  std::string model, design;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel), "model card: a zoo name or a path")(
      "design", po::value(&design), "design file (YAML); omitted: the built-in defaults")(
      "json", "write {design_hash, canonical} as JSON");
  po::variables_map vm;
  if (!parse_options(ctx, "design", "[--model M] [--design D.yaml] [--json]", options, vm)) return 0;

  const auto md = load_model_and_design(model, design);
  const std::string canonical = model::canonical_json(md.design, *md.workload);
  const std::string hash = model::design_hash(md.design, *md.workload);
  if (vm.count("json") != 0) {
    ctx.out << nlohmann::json{{"design_hash", hash}, {"canonical", nlohmann::json::parse(canonical)}}.dump() << '\n';
  } else {
    ctx.out << "design_hash: " << hash << "\ncanonical: " << canonical << '\n';
  }
  return 0;
}

}  // namespace vitdse::cli

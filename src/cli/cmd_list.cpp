// vitdse list: the shipped models, accelerator templates and technology tables.
#include <ostream>

#include "cli/options.hpp"
#include "vitdse/core/resources.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::cli {

int list_command(Context& ctx) {
  po::options_description options("options");
  po::variables_map vm;
  if (!parse_options(ctx, "list", "", options, vm)) return 0;
  ctx.out << "models (--model):  " << join(available_resources("models")) << '\n'
          << "templates (--arch): " << join(available_resources("models/arch")) << '\n'
          << "technology (--tech): " << join(available_resources("models/tech")) << '\n'
          << "policies (--policy): " << join(available_resources("policies")) << '\n'
          << "resources from: " << resource_root().string() << '\n';
  return 0;
}

}  // namespace vitdse::cli

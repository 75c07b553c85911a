// Shared option handling for subcommands.
#include "cli/options.hpp"

#include <ostream>

#include "vitdse/core/error.hpp"

namespace vitdse::cli {

bool parse_options(Context& ctx, const std::string& command, const std::string& synopsis,
                   po::options_description& options, po::variables_map& vm,
                   const po::positional_options_description* positional) {
  options.add_options()("help,h", "show this help");
  try {
    po::command_line_parser parser(ctx.args);
    parser.options(options);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help") != 0) {
      ctx.out << "usage: vitdse " << command << " " << synopsis << "\n\n"
              << options << "\nglobal options, here or before the command:\n"
              << "  --log-level LEVEL     trace, debug, info, warn, error or off (default: info)\n"
              << "  -q [ --quiet ]        only warnings and errors; no progress bars\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw usage_error("vitdse " + command + ": " + e.what() + "; see 'vitdse " + command + " --help'");
  }
  return true;
}

void add_graph_options(po::options_description& options, bool& allow_unpriced) {
  options.add_options()("allow-unpriced", po::bool_switch(&allow_unpriced),
                        "for an ONNX --model: leave out the operators vitdse cannot price, listing them, and go on");
}

void add_format_options(po::options_description& options) {
  options.add_options()("csv", "write CSV (units in the column names)")("json", "write JSON");
}

void add_device_option(po::options_description& options, std::string& device) {
  options.add_options()(
      "device", po::value(&device)->default_value("cpu"),
      "where designs are evaluated: cpu, or cuda[:N] for the GEMMs with weights on GPU N (same scores)");
}

Format output_format(const po::variables_map& vm) {
  const bool csv = vm.count("csv") != 0, json = vm.count("json") != 0;
  if (csv && json) throw usage_error("--csv and --json are mutually exclusive");
  return csv ? Format::csv : json ? Format::json : Format::text;
}

}  // namespace vitdse::cli

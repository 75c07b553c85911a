// Option parsing shared by the subcommands: Boost.Program_options with vitdse's error style.
#pragma once

#include <boost/program_options.hpp>

#include <string>

#include "cli/cli.hpp"

namespace vitdse::cli {

namespace po = boost::program_options;

/// Parses `ctx.args` against `options` for `command`. Returns false after printing help when
/// --help is given. Bad options throw a usage Error naming the command. `positional`, if given,
/// maps bare arguments to options.
bool parse_options(Context& ctx, const std::string& command, const std::string& synopsis,
                   po::options_description& options, po::variables_map& vm,
                   const po::positional_options_description* positional = nullptr);

/// Output format chosen by --csv/--json (mutually exclusive).
enum class Format { text, csv, json };
Format output_format(const po::variables_map& vm);
void add_format_options(po::options_description& options);
/// Adds --allow-unpriced, for commands whose --model may be an ONNX graph.
void add_graph_options(po::options_description& options, bool& allow_unpriced);
/// --device cpu|cuda[:N] into `device` (read it with eval::parse_device).
void add_device_option(po::options_description& options, std::string& device);

}  // namespace vitdse::cli

// Global options, subcommand dispatch, logging set-up, and the one place errors are caught.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "vitdse/cluster/cluster.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/core/version.hpp"
#include "vitdse/eval/evaluator.hpp"

namespace vitdse::cli {

namespace {

void print_help(std::ostream& os) {
  os << "vitdse " << version() << ": which cheap arithmetic can each layer of a Vision Transformer use,\n"
     << "and what does it cost?\n\n"
     << "usage: vitdse [--version] [--log-level LEVEL] [--quiet] <command> [options]\n\n"
     << "commands:\n";
  for (const auto& c : commands()) os << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << '\n';
  os << "\nglobal options:\n"
     << "  --version            print the version and exit\n"
     << "  --log-level LEVEL    trace, debug, info, warn, error or off (default: info)\n"
     << "  -q [ --quiet ]       only warnings and errors; no progress bars\n"
     << "  -h [ --help ]        show this help\n\n"
     << "'vitdse <command> --help' lists a command's options with their defaults; --log-level and\n"
     << "--quiet may also follow the command.\n";
}

void set_up_logging(const std::string& level, bool quiet) {
  static const std::vector<std::string> levels{"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
    throw usage_error("--log-level '" + level + "' is not one of: " + join(levels));
  }
  auto logger = spdlog::get("vitdse");
  if (!logger) {
    logger = spdlog::stderr_color_mt("vitdse");
    logger->set_pattern("[%H:%M:%S] %^%l%$ %v");
  }
  spdlog::set_default_logger(logger);
  spdlog::set_level(quiet ? spdlog::level::warn : spdlog::level::from_str(level));
}

/// An error message as one printable line: the lines of a message joined by spaces, raw bytes
/// escaped, and a runaway message cut short.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  constexpr std::size_t kMaxBytes = 2000;
  return printable(text, kMaxBytes);
}

/// The logging options, accepted before the command and after it.
struct LoggingOptions {
  std::string level = "info";
  bool quiet = false;

  /// Takes args[i] (and its value) if it is a logging option; returns the index after it, or i.
  std::size_t take(const std::vector<std::string>& args, std::size_t i) {
    const std::string& a = args[i];
    if (a == "--quiet" || a == "-q") {
      quiet = true;
      return i + 1;
    }
    if (a == "--log-level") {
      if (i + 1 >= args.size()) throw usage_error("--log-level needs a value: trace, debug, info, warn, error or off");
      level = args[i + 1];
      return i + 2;
    }
    if (a.starts_with("--log-level=")) {
      level = a.substr(12);
      return i + 1;
    }
    return i;
  }
};

/// Parses global options; returns the subcommand and its arguments, or null when the global
/// options already answered (--help, --version). The logging options may also follow the
/// command (up to a "--"), where they are taken out of its arguments.
const Command* parse_global(const std::vector<std::string>& args, std::ostream& out, std::vector<std::string>& rest) {
  LoggingOptions logging;
  std::size_t i = 0;
  while (i < args.size()) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      print_help(out);
      return nullptr;
    }
    if (a == "--version") {
      out << "vitdse " << version() << (cluster::built_with_mpi() ? " (with MPI, " : " (without MPI, ")
          << (eval::built_with_cuda() ? "with CUDA)" : "without CUDA)") << '\n';
      return nullptr;
    }
    if (const std::size_t next = logging.take(args, i); next != i) {
      i = next;
    } else if (a.starts_with("-")) {
      throw usage_error("unknown global option '" + a + "'; see 'vitdse --help'");
    } else {
      break;
    }
  }
  if (i == args.size()) throw usage_error("no command given; see 'vitdse --help'");

  const std::string& name = args[i];
  const auto& all = commands();
  const auto it = std::find_if(all.begin(), all.end(), [&](const Command& c) { return c.name == name; });
  if (it == all.end()) {
    std::vector<std::string> names;
    for (const auto& c : all) names.push_back(c.name);
    throw usage_error("unknown command '" + name + "'" + did_you_mean(name, names) + "; commands: " + join(names));
  }
  rest.clear();
  for (std::size_t k = i + 1; k < args.size();) {
    if (args[k] == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(k), args.end());
      break;
    }
    const std::size_t next = logging.take(args, k);
    if (next == k) rest.push_back(args[k++]);
    k = std::max(k, next);
  }
  set_up_logging(logging.level, logging.quiet);
  return &*it;
}

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> all{
      {"workload", "list a model's layers with shapes, MACs, parameters and nonlinear counts", workload_command},
      {"import", "turn a timm ViT's or EfficientViT's ONNX export into a model card and timm-layout weights",
       import_command},
      {"design", "validate a design file and print its canonical form and hash", design_command},
      {"cost", "price a design on an accelerator template: energy, area, latency", cost_command},
      {"eval", "a design's top-1 accuracy on real images and its distance from the float model", eval_command},
      {"sensitivity", "rank the GEMM layers by the accuracy a unit costs in each alone", sensitivity_command},
      {"infer", "run a model, float or under a design, on image files or a tensor of images; writes its logits",
       infer_command},
      {"train", "train a model from scratch on its dataset; writes timm-layout weights and a card", train_command},
      {"finetune", "fine-tune a model with a design's arithmetic in the loop (straight-through gradients)",
       finetune_command},
      {"search", "search per-layer arithmetic for a Pareto front of accuracy against cost (MCTS or a baseline)",
       search_command},
      {"runs", "list the search runs recorded in a database", runs_command},
      {"pareto", "export the Pareto front of a run, or of several runs merged, from the database", pareto_command},
      {"compare", "run search algorithms on the same seeds and compare hypervolume against evaluations",
       compare_command},
      {"report", "write a search run or a comparison as one self-contained interactive HTML page", report_command},
      {"reproduce", "rebuild the four source papers' trade-off tables, figure by figure against the published ones",
       reproduce_command},
      {"units", "list arithmetic-unit families, or one unit's error metrics and cost", units_command},
      {"list", "list the shipped models, accelerator templates and technology tables", list_command},
  };
  return all;
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    std::vector<std::string> rest;
    const Command* command = parse_global(args, out, rest);
    if (command == nullptr) return 0;
    Context ctx{std::move(rest), out, err};
    return command->run(ctx);
  } catch (const Error& e) {
    err << "vitdse: error: " << one_line(e.what()) << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    err << "vitdse: internal error: " << one_line(e.what()) << '\n';
    return 1;
  }
}

int run_process(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::optional<cluster::Session> session;
  try {
    session.emplace(argc, argv);
  } catch (const Error& e) {
    err << "vitdse: error: " << one_line(e.what()) << '\n';
    return e.exit_code();
  }
  if (cluster::place().rank != 0) return session->serve();
  return run(std::vector<std::string>(argv + 1, argv + argc), out, err);
}

}  // namespace vitdse::cli

// The command line: git-style subcommands over the library. Only run() catches errors.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace vitdse::cli {

/// What a subcommand sees: its own arguments and the output streams.
struct Context {
  std::vector<std::string> args;  ///< after the subcommand name
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  std::string name;
  std::string summary;
  std::function<int(Context&)> run;
};

/// Every subcommand, in the order `vitdse --help` lists them.
const std::vector<Command>& commands();

/// Runs the CLI on `args` (without the program name). Returns the exit code: 0 on success,
/// 1 on a runtime error, 2 on a usage error; errors are one line on `err`.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
/// The whole program: joins the job (cluster::Session) and, on rank 0, runs the CLI on `argv`;
/// other ranks score designs for rank 0 until it ends.
int run_process(int argc, char** argv, std::ostream& out, std::ostream& err);

// One function per subcommand (one file each).
int workload_command(Context& ctx);
int import_command(Context& ctx);
int design_command(Context& ctx);
int infer_command(Context& ctx);
int train_command(Context& ctx);
int finetune_command(Context& ctx);
int eval_command(Context& ctx);
int sensitivity_command(Context& ctx);
int cost_command(Context& ctx);
int list_command(Context& ctx);
int search_command(Context& ctx);
int runs_command(Context& ctx);
int pareto_command(Context& ctx);
int compare_command(Context& ctx);
int report_command(Context& ctx);
int reproduce_command(Context& ctx);
int units_command(Context& ctx);

}  // namespace vitdse::cli

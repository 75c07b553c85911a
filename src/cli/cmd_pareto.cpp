// vitdse pareto: a run's front from the database, or several runs' fronts merged.
#include <ostream>

#include "cli/options.hpp"
#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/report/stored_front.hpp"

namespace vitdse::cli {

int pareto_command(Context& ctx) {
  po::options_description options("options");
  std::string db_path, csv_path;
  std::vector<std::string> runs;
  options.add_options()("db", po::value(&db_path)->default_value("vitdse.sqlite"), "SQLite database of a search")(
      "run", po::value(&runs)->composing(), "run id (repeat to merge runs; default: the latest run)")(
      "csv", po::value(&csv_path), "write the front as CSV to this file (default: a table on stdout)");
  po::variables_map vm;
  if (!parse_options(ctx, "pareto", "[--db F] [--run ID]... [--csv F]", options, vm)) return 0;
  if (!std::filesystem::exists(db_path)) throw Error("no database '" + db_path + "'; 'vitdse search' creates it");
  const store::Database db(db_path);
  const auto front = report::stored_front(db, runs);
  const auto table = report::design_table(front.rows, front.front, front.float_top1_pct, !csv_path.empty());
  if (!csv_path.empty()) {
    write_file_atomically(csv_path, table.to_csv());
    ctx.out << "wrote " << front.front.size() << " Pareto designs (of " << front.rows.size() << ") to " << csv_path
            << '\n';
  } else {
    ctx.out << front.front.size() << " Pareto designs of " << front.rows.size() << " scored\n\n" << table.to_text();
  }
  return 0;
}

}  // namespace vitdse::cli

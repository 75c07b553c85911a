// vitdse runs: the search runs a database records.
#include <ostream>

#include "cli/options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/report/table.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::cli {

int runs_command(Context& ctx) {
  po::options_description options("options");
  std::string db_path;
  options.add_options()("db", po::value(&db_path)->default_value("vitdse.sqlite"), "SQLite database of a search");
  add_format_options(options);
  po::variables_map vm;
  if (!parse_options(ctx, "runs", "[--db F] [--csv|--json]", options, vm)) return 0;
  if (!std::filesystem::exists(db_path)) throw Error("no database '" + db_path + "'; 'vitdse search' creates it");
  const store::Database db(db_path);
  report::Table t({{"id", "run"},
                   {"algo", "algo"},
                   {"policy", "policy"},
                   {"model", "model"},
                   {"seed", "seed"},
                   {"budget", "budget"},
                   {"evaluations", "evaluations"},
                   {"cache_hits", "cached"},
                   {"status", "status"},
                   {"started", "started (UTC)"},
                   {"finished", "finished (UTC)"}});
  for (const auto& r : db.runs()) {
    t.add({r.id, r.algo, r.policy, r.model, static_cast<std::int64_t>(r.seed), r.budget, r.evaluations, r.cache_hits,
           r.status, r.started, r.finished});
  }
  switch (output_format(vm)) {
    case Format::json:
      ctx.out << t.to_json().dump(2) << '\n';
      break;
    case Format::csv:
      ctx.out << t.to_csv();
      break;
    case Format::text:
      ctx.out << t.rows() << (t.rows() == 1 ? " run in " : " runs in ") << db_path << "\n\n" << t.to_text();
      break;
  }
  return 0;
}

}  // namespace vitdse::cli

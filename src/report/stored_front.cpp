// Fronts read back from the database.
#include "vitdse/report/stored_front.hpp"

#include <set>

#include <yaml-cpp/yaml.h>

#include "vitdse/core/error.hpp"
#include "vitdse/search/scoring.hpp"

namespace vitdse::report {

StoredFront stored_front(const store::Database& db, std::vector<std::string> run_ids) {
  if (run_ids.empty()) {
    const auto runs = db.runs();
    if (runs.empty()) throw Error(db.path().string() + " holds no runs; start one with 'vitdse search'");
    run_ids.push_back(runs.back().id);
  }
  StoredFront f;
  std::string context;
  std::set<std::string> seen;
  for (const auto& id : run_ids) {
    const auto run = db.run(id);
    if (!run) throw Error("no run '" + id + "' in " + db.path().string() + "; 'vitdse runs' lists them");
    YAML::Node config;
    try {
      config = YAML::Load(run->config);
    } catch (const YAML::Exception& e) {
      throw Error("run '" + id + "' has an unreadable configuration: " + e.msg);
    }
    const auto run_context = config["scoring_context"].as<std::string>("");
    if (context.empty()) {
      context = run_context;
      for (const auto& m : config["objectives"]) {
        const auto name = m.as<std::string>();
        bool found = false;
        for (const auto metric : {search::Metric::top1_drop_pp, search::Metric::energy_uJ, search::Metric::area_mm2,
                                  search::Metric::latency_ms, search::Metric::power_mW, search::Metric::mult_power}) {
          if (search::to_string(metric) == name) f.metrics.push_back(metric), found = true;
        }
        if (!found) throw Error("run '" + id + "' has an unknown objective '" + name + "'");
      }
      for (const auto& c : config["constraints"])
        f.constraints.push_back(search::parse_constraint(c.as<std::string>()));
      f.float_top1_pct = config["float_top1_pct"].as<double>(0.0);
    } else if (run_context != context) {
      throw Error("runs '" + run_ids.front() + "' and '" + id +
                  "' were scored in different contexts (model, test images or template), so their fronts cannot be "
                  "merged");
    }
    const auto final_context = config["final_scoring_context"].as<std::string>("");
    for (const auto& p : db.run_points(id)) {
      if (!seen.insert(p.key).second) continue;
      std::optional<search::Score> full_test;
      if (!final_context.empty()) full_test = db.lookup(search::cache_key(final_context, p.canonical));
      f.rows.push_back({p.design_hash, p.canonical, p.score, full_test});
    }
  }
  f.front = pareto_front(f.rows, f.metrics, f.constraints, f.float_top1_pct);
  return f;
}

}  // namespace vitdse::report

// A whole search: policy -> space and prior -> run (cached) -> front re-scored -> run directory.
#include "vitdse/report/search_job.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "vitdse/cluster/cluster.hpp"
#include "vitdse/core/append_file.hpp"
#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/hash.hpp"
#include "vitdse/core/progress.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/cost/cost_model.hpp"
#include "vitdse/report/pareto_table.hpp"
#include "vitdse/search/policy.hpp"
#include "vitdse/search/scoring_stack.hpp"
#include "vitdse/store/cached_evaluator.hpp"

namespace vitdse::report {

namespace {

/// The resolved configuration, as run.yaml shows it.
std::string config_yaml(const SearchJobOptions& o, const search::Policy& policy, const search::DesignSpace& space,
                        const std::vector<search::Metric>& metrics, const std::vector<search::Constraint>& constraints,
                        std::size_t images, const std::string& dataset, const search::Scorer& scorer) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "algorithm" << YAML::Value << search::to_string(o.algorithm);
  y << YAML::Key << "seed" << YAML::Value << o.algorithm_options.seed;
  y << YAML::Key << "batch" << YAML::Value << o.algorithm_options.batch;
  y << YAML::Key << "policy" << YAML::Value << policy.name;
  y << YAML::Key << "model" << YAML::Value << space.workload().card().name;
  y << YAML::Key << "arch" << YAML::Value << scorer.cost_model().arch().name;
  y << YAML::Key << "dataset" << YAML::Value << dataset;
  y << YAML::Key << "images" << YAML::Value << images;
  // Only when set, so that an unscreened run keeps the id (a hash of this) it had before.
  if (o.screen_images > 0) y << YAML::Key << "screen_images" << YAML::Value << o.screen_images;
  y << YAML::Key << "float_top1_pct" << YAML::Value << fmt::format("{}", scorer.evaluator().float_report().top1_pct);
  y << YAML::Key << "objectives" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto m : metrics) y << search::to_string(m);
  y << YAML::EndSeq;
  y << YAML::Key << "constraints" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& c : constraints) y << c.text();
  y << YAML::EndSeq;
  y << YAML::Key << "drop_scale_pp" << YAML::Value << policy.drop_scale_pp;
  y << YAML::Key << "scoring_context" << YAML::Value << scorer.context();
  y << YAML::Key << "mcts" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "exploration" << YAML::Value
    << o.algorithm_options.exploration << YAML::Key << "widening_c" << YAML::Value << o.algorithm_options.widening_c
    << YAML::Key << "widening_alpha" << YAML::Value << o.algorithm_options.widening_alpha << YAML::Key
    << "rollout_sharpness" << YAML::Value << o.algorithm_options.rollout_sharpness << YAML::Key << "rollout_changes"
    << YAML::Value << o.algorithm_options.rollout_changes << YAML::Key << "refine_share" << YAML::Value
    << o.algorithm_options.refine_share << YAML::Key << "surrogate" << YAML::Value << o.algorithm_options.surrogate
    << YAML::EndMap;
  y << YAML::Key << "nsga2_population" << YAML::Value << o.algorithm_options.population;
  y << YAML::Key << "space_log10_points" << YAML::Value << space.log10_size();
  y << YAML::Key << "variables" << YAML::Value << YAML::BeginSeq;
  for (const auto& v : space.variables()) {
    y << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << v.name << YAML::Key << "choices"
      << YAML::Value << YAML::Flow << v.choices << YAML::Key << "prior" << YAML::Value << YAML::Flow;
    y << YAML::BeginSeq;
    for (const double p : v.prior) y << format_number(p, 4);
    y << YAML::EndSeq << YAML::EndMap;
  }
  y << YAML::EndSeq << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

/// "N screened out · " for the progress line of a screening run.
std::string screened_text(std::int64_t screened, bool screening) {
  return screening ? fmt::format("{} screened out · ", screened) : "";
}

std::string now_text() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

std::string algorithm_label(const std::string& algorithm, std::size_t screen_images) {
  return algorithm + (screen_images > 0 ? "+screen" + std::to_string(screen_images) : "");
}

SearchJobResult run_search_job(const SearchJobOptions& o, const std::atomic<bool>* stop) {
  const auto start = std::chrono::steady_clock::now();
  const search::Policy policy = search::load_policy(o.policy);
  search::ScoringSetup setup;
  setup.model = o.model.empty() ? policy.model : o.model;
  setup.arch = o.arch.empty() ? policy.arch : o.arch;
  setup.dataset = o.data;
  setup.eval.images = o.images > 0 ? o.images : policy.images;
  setup.device = o.device;
  setup = setup.resolved();
  cluster::announce(setup);  // the other ranks of a job load while this one does
  const search::ScoringStack stack(setup);
  const auto& workload = stack.workload();
  const auto& card = workload.card();
  const auto& cost = stack.cost();
  search::DesignSpace space = search::make_space(policy, workload);
  search::assign_prior(space, cost, policy.prior);
  const auto metrics = o.objectives ? *o.objectives : policy.objectives;
  auto constraints = policy.constraints;
  constraints.insert(constraints.end(), o.constraints.begin(), o.constraints.end());
  const std::size_t images = setup.eval.images;
  if (cost.arch().target == cost::Target::fpga) {
    // An FPGA template has resources, not area: an area objective would see 0 for every design.
    bool uses_area = std::find(metrics.begin(), metrics.end(), search::Metric::area_mm2) != metrics.end();
    for (const auto& c : constraints) uses_area = uses_area || c.metric == search::Metric::area_mm2;
    if (uses_area) {
      throw Error("template '" + cost.arch().name +
                  "' is an FPGA and has no area; use energy, latency or power objectives and constraints");
    }
  }

  const std::string& dataset = stack.setup().dataset;
  spdlog::info("search: {} on {} with policy '{}' ({} variables, 10^{:.1f} points), {} test images per design",
               card.name, dataset, policy.name, space.variables().size(), space.log10_size(), images);
  const search::Scorer& scorer = stack.scorer();
  if (const int ranks = cluster::place().size; static_cast<std::size_t>(ranks) > o.algorithm_options.batch) {
    // The search waits for each batch, so no more ranks than designs in it are ever busy.
    spdlog::warn(
        "--batch {} keeps at most {} of the {} ranks busy; give --batch {} or more (the front depends on "
        "the batch, not on the ranks)",
        o.algorithm_options.batch, o.algorithm_options.batch, ranks, ranks);
  }
  store::Database db(o.db);
  const auto fresh = cluster::make_batch_evaluator(stack, stop);
  store::CachedEvaluator cached(*fresh, scorer, db);
  // The screening stack scores the first screen_images of the same slice, under its own context.
  std::optional<search::ScoringStack> screen_stack;
  std::unique_ptr<search::BatchEvaluator> screen_fresh;
  std::optional<store::CachedEvaluator> screen_cached;
  if (o.screen_images > 0) {
    if (o.screen_images >= images) {
      throw usage_error("--screen-images " + std::to_string(o.screen_images) + " must be fewer than the " +
                        std::to_string(images) + " images each design is scored on");
    }
    search::ScoringSetup screen = setup;
    screen.eval.images = o.screen_images;
    cluster::announce(screen);
    screen_stack.emplace(screen);
    screen_fresh = cluster::make_batch_evaluator(*screen_stack, stop);
    screen_cached.emplace(*screen_fresh, screen_stack->scorer(), db);
  }

  const std::string config = config_yaml(o, policy, space, metrics, constraints, images, dataset, scorer);
  store::RunRecord record;
  record.id = fmt::format("{}-s{}-{}", search::to_string(o.algorithm), o.algorithm_options.seed,
                          short_hash(config).substr(0, 10));
  record.algo = search::to_string(o.algorithm);
  record.policy = policy.name;
  record.model = card.name;
  record.args = o.command_line;
  record.config = config;
  record.seed = o.algorithm_options.seed;
  record.budget = o.budget;
  const auto out = o.out.empty() ? std::filesystem::path("runs") / record.id : o.out;
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) throw Error("cannot create the run directory '" + out.string() + "': " + ec.message());
  write_file_atomically(out / "run.yaml", "id: " + record.id + "\n" + config);
  db.begin_run(record);
  spdlog::info("run {} -> {} (database {})", record.id, out.string(), o.db.string());

  AppendFile log(out / "log.txt");
  log.append(now_text() + " start " + o.command_line + "\n");
  ProgressBar bar("search", o.budget);
  if (o.progress) bar.update(0, "");
  search::SearchRun* run_ptr = nullptr;
  // The run's points are committed a batch at a time: evaluations are committed one by one by the
  // cache, and a resumed run records its points afresh, so nothing is lost by the wait.
  std::vector<std::string> pending;
  std::int64_t pending_first = 0;
  auto flush = [&] {
    db.record_points(record.id, pending_first, pending);
    pending_first += static_cast<std::int64_t>(pending.size());
    pending.clear();
  };
  // The run's points are its full evaluations, so that a stored front never holds a screened-out
  // point's estimate.
  std::int64_t recorded = 0;
  auto observe = [&](const search::Evaluation& e, std::size_t index) {
    if (!e.screened) {
      if (pending.empty()) pending_first = recorded;
      pending.push_back(e.key);
      ++recorded;
      if (pending.size() >= o.algorithm_options.batch) flush();
    }
    log.append(fmt::format("{} #{} {} top1 {:.2f}% energy {:.4g} uJ area {:.4g} mm2{}{}{}{}\n", now_text(), index + 1,
                           e.candidate.hash, e.score.top1_pct, e.score.energy_uJ, e.score.area_mm2,
                           e.screened ? fmt::format(" screened out on {} images", e.images) : "",
                           e.cached ? " cached" : "", e.feasible() ? "" : " infeasible",
                           e.entered_archive ? " front" : ""));
    if (o.progress && run_ptr != nullptr) {
      const auto screened = static_cast<std::int64_t>(index + 1) - run_ptr->full_evaluations();
      bar.update(run_ptr->full_evaluations(),
                 fmt::format("{}cached {} · front {} · HV {:.4f}", screened_text(screened, o.screen_images > 0),
                             run_ptr->cache_hits(), run_ptr->archive().size(), run_ptr->archive().hypervolume()));
    }
  };
  search::SearchRun run(space, scorer, cached, {metrics, constraints, policy.drop_scale_pp}, o.budget, stop, observe);
  run_ptr = &run;
  if (screen_stack) run.screen_with({*screen_cached, screen_stack->scorer()});
  const auto loop_start = std::chrono::steady_clock::now();
  try {
    search::run_algorithm(o.algorithm, run, o.algorithm_options);
  } catch (...) {
    // Record the failure where possible, but report the error that stopped the run, not a second
    // one from the bookkeeping (on a full disk both fail).
    try {
      flush();
      db.finish_run(record.id, "failed", static_cast<std::int64_t>(run.evaluations().size()), run.cache_hits());
    } catch (const Error& e) {
      spdlog::debug("cannot record the failure of run {}: {}", record.id, e.what());
    }
    throw;
  }
  flush();
  const double loop_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
  const bool interrupted = run.stop_requested();
  if (o.progress)
    bar.finish(fmt::format("{} evaluations, {}{} cached · front {} · HV {:.4f}", run.full_evaluations(),
                           screened_text(static_cast<std::int64_t>(run.evaluations().size()) - run.full_evaluations(),
                                         o.screen_images > 0),
                           run.cache_hits(), run.archive().size(), run.archive().hypervolume()));

  // The front, re-scored on the full test split (skipped when interrupted: stop means stop).
  std::vector<DesignRow> rows;
  for (const std::size_t id : run.archive().ids()) {
    const auto& e = run.evaluations()[id];
    rows.push_back({e.candidate.hash, e.candidate.canonical, e.score, std::nullopt});
  }
  if (o.final_images > 0 && !interrupted && !rows.empty()) {
    search::ScoringSetup full = stack.setup();
    full.eval.images = o.final_images;
    spdlog::info("re-scoring the {} designs of the front on {} test images", rows.size(), o.final_images);
    cluster::announce(full);
    const search::ScoringStack full_stack(full);
    const auto full_fresh = cluster::make_batch_evaluator(full_stack, stop);
    store::CachedEvaluator full_cached(*full_fresh, full_stack.scorer(), db);
    std::vector<search::Candidate> batch;
    for (const std::size_t id : run.archive().ids()) batch.push_back(run.evaluations()[id].candidate);
    const auto scored = full_cached.evaluate(batch);
    for (std::size_t i = 0; i < std::min(rows.size(), scored.size()); ++i) rows[i].full_test = scored[i].score;
    // So that `vitdse pareto` finds these scores in the cache again.
    record.config = config + "final_scoring_context: " + full_stack.scorer().context() + "\n";
    db.set_run_config(record.id, record.config);
    write_file_atomically(out / "run.yaml", "id: " + record.id + "\n" + record.config);
  }
  const double float_top1 = scorer.float_top1_pct();
  const auto front = pareto_front(rows, metrics, constraints, float_top1);
  write_file_atomically(out / "pareto.csv", design_table(rows, front, float_top1).to_csv());
  write_file_atomically(out / "all.csv", evaluations_table(run).to_csv());
  write_file_atomically(out / "hv.csv", hypervolume_table(run).to_csv());

  SearchJobResult r;
  r.run_id = record.id;
  r.out = out;
  r.status = interrupted ? "interrupted" : "done";
  r.evaluations = static_cast<std::int64_t>(run.evaluations().size());
  r.cache_hits = run.cache_hits();
  r.full_evaluations = run.full_evaluations();
  r.images_scored = run.images_scored();
  r.front_size = front.size();
  r.hypervolume = run.archive().hypervolume();
  r.hv_trace = run.hv_trace();
  r.full_trace = run.full_trace();
  r.images_trace = run.images_trace();
  r.search_seconds = loop_seconds;
  r.scoring_seconds = cached.scoring_seconds() + (screen_cached ? screen_cached->scoring_seconds() : 0.0);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  db.finish_run(record.id, r.status, r.evaluations, r.cache_hits);
  log.append(
      fmt::format("{} {}: {} evaluations ({} in full), {} cached, {} images scored, front {}, hypervolume {:.6g}; "
                  "search {:.6g} s, of which scoring {:.6g} s; {} database retries\n",
                  now_text(), r.status, r.evaluations, r.full_evaluations, r.cache_hits, r.images_scored, r.front_size,
                  r.hypervolume, r.search_seconds, r.scoring_seconds, db.busy_retries()));
  return r;
}

}  // namespace vitdse::report

// TransAxx (Danopoulos et al., IEEE TCASAI 2024, arXiv 2402.07545): one approximate multiplier
// in every layer against accuracy and power, per-layer sensitivity, and a search's
// heterogeneous assignments against the best uniform ones at equal power.
#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <random>

#include "vitdse/core/error.hpp"
#include "vitdse/cost/cost_model.hpp"
#include "vitdse/eval/sensitivity.hpp"
#include "vitdse/report/reproduce.hpp"
#include "vitdse/report/search_job.hpp"
#include "vitdse/report/stored_front.hpp"
#include "vitdse/store/database.hpp"

namespace vitdse::report {

namespace {

/// The policy of the search compared, and its template: a kind of multiplier per engine.
constexpr const char* kPolicy = "transaxx";
constexpr const char* kPipelinedArch = "lowpower-vit-28nm-pipelined";

/// The multipliers tried uniformly: the transaxx policy's choices (8-bit signed, vitdse's
/// families; EvoApprox's circuits are published only as netlists, which vitdse does not copy).
const std::vector<std::string> kUnits{"exact:8s",           "trunc:8s:t=6", "trunc:8s:t=8", "bam:8s:hbl=0:vbl=7",
                                      "bam:8s:hbl=2:vbl=8", "drum:8s:k=4",  "mitchell:8s"};

/// TransAxx approximates Linear and Conv layers only: the attention matmuls and the head stay
/// exact.
std::string uniform_yaml(const model::Workload& w, const std::string& unit) {
  std::string layers = "  head: {mult: \"exact:8s\"}\n";
  for (int b = 0; b < w.block_count(); ++b) {
    for (const char* m : {"qk", "av"}) layers += fmt::format("  blocks.{}.attn.{}: {{mult: \"exact:8s\"}}\n", b, m);
  }
  return fmt::format("defaults: {{mult: \"{}\"}}\nlayers:\n{}", unit, layers);
}

struct Point {
  std::string name;
  double relative_power = 0, power_mW = 0, energy_uJ = 0, top1 = 0;
};

Point score(const StandIn& s, const cost::CostModel& model, const std::string& name, const model::Design& d) {
  const auto c = model.evaluate(d);
  return {name, c.mult_power, c.chip_power_mW, c.energy.total_uJ(), s.evaluator->evaluate(d, s.workload).top1_pct};
}

}  // namespace

PaperReport reproduce_transaxx(const ReproduceOptions& options) {
  PaperReport r;
  r.paper = "transaxx";
  r.title = "TransAxx: approximate multipliers in ViTs";
  r.citation =
      "D. Danopoulos, G. Zervakis, D. Soudris and J. Henkel, *TransAxx: Efficient Transformers with Approximate "
      "Computing*, IEEE TCASAI 2024, arXiv 2402.07545.";
  r.summary =
      "On a stand-in: vitdse's `vit-fmnist` on Fashion-MNIST in place of ViT/DeiT on ImageNet, with vitdse's "
      "8-bit approximate multiplier families in place of EvoApprox's circuits (whose functions are published only "
      "as netlists). Rebuilt: uniform assignment against accuracy, TransAxx's relative power and absolute "
      "energy; per-layer sensitivity; a Pareto-aware MCTS (`policies/transaxx.yaml`) against the best uniform "
      "assignment at equal power; and approximation-aware fine-tuning of the uniform assignments. The paper's "
      "per-model tables are not available to us, so no row compares to a published figure.";
  const StandIn s("vit-fmnist", options);
  const cost::CostModel model(s.workload, cost::load_arch(kPipelinedArch));

  // Uniform assignments, before and after approximation-aware fine-tuning.
  std::vector<Point> uniform;
  std::vector<double> finetuned;
  for (const auto& unit : kUnits) {
    const auto d = model::parse_design(uniform_yaml(s.workload, unit), "reproduce", s.workload);
    uniform.push_back(score(s, model, unit, d));
    finetuned.push_back(s.top1(s.finetuned(s.weights, d), d));
  }
  ReproducedTable u;
  u.name = "uniform";
  u.title = "One multiplier in every linear layer";
  u.table = Table({{"unit", "multiplier"},
                   {"relative_power", "relative power (TransAxx)"},
                   {"power_mW", "chip power (mW)"},
                   {"energy_uJ", "energy (µJ)"},
                   {"top1_pct", "top-1 (%)"},
                   {"top1_finetuned_pct", "top-1 after fine-tuning (%)"}});
  for (std::size_t i = 0; i < uniform.size(); ++i) {
    const auto& p = uniform[i];
    u.table.add({p.name, p.relative_power, p.power_mW, p.energy_uJ, p.top1, finetuned[i]});
  }
  u.method = fmt::format(
      "Every linear layer (patch embedding, qkv, proj, fc1, fc2) on one multiplier, the attention matmuls and the "
      "head exact, as TransAxx approximates them; W8A8 with vitdse's quantisers (weights per channel, "
      "activations per tensor, min-max) where TransAxx uses per-tensor 99.99th-percentile calibration. Relative "
      "power is TransAxx's formula, Σ (layer MACs / all MACs) × (multiplier power / exact power), every GEMM "
      "counted; chip power and energy are the cost model's on `{}`. Top-1 on {} test images, post-training and "
      "after TransAxx's approximation-aware fine-tuning: one epoch over {} training images with the multiplier in "
      "the loop (the straight-through estimator; `vitdse finetune`'s settings, AdamW at peak lr 2e-4).",
      kPipelinedArch, s.images(), s.finetune_images);
  r.tables.push_back(u);

  // Sensitivity of each layer to one aggressive unit.
  const std::string probe = "drum:8s:k=4";
  const auto base = model::default_design(s.workload);
  const auto sensitivity = eval::layer_sensitivity(*s.evaluator, s.workload, base, probe);
  ReproducedTable sens;
  sens.name = "sensitivity";
  sens.title = "Per-layer sensitivity to " + probe;
  sens.table = Table({{"layer", "layer"}, {"top1_drop_pp", "top-1 drop (pp)"}, {"snr_dB", "logit SNR (dB)"}});
  const double float_top1 = s.evaluator->evaluate(base, s.workload).top1_pct;
  for (const auto& l : sensitivity) {
    sens.table.add({l.layer, float_top1 - l.report.top1_pct, l.report.snr_db});
  }
  sens.method = fmt::format(
      "`vitdse sensitivity --unit {}`: each GEMM layer alone on the unit, the rest exact W8A8, ranked by the top-1 "
      "drop against the W8A8 design ({:.2f}%), then by logit SNR. TransAxx's analysis, on every GEMM including the "
      "attention matmuls.",
      probe, float_top1);
  r.tables.push_back(sens);

  // The search's front against the uniform points, on the same images and the same template.
  SearchJobOptions job;
  job.policy = kPolicy;
  job.budget = options.fast ? 40 : 300;
  job.images = std::min<std::size_t>(options.fast ? 200 : 500, s.images());
  job.final_images = 0;
  job.data = options.data;
  job.device = options.device;
  job.progress = false;
  job.algorithm_options.seed = options.seed;
  const auto scratch =
      std::filesystem::temp_directory_path() / fmt::format("vitdse-reproduce-transaxx-{}", std::random_device{}());
  job.db = scratch / "search.sqlite";
  job.out = scratch / "run";
  job.command_line = "vitdse reproduce transaxx";
  std::vector<Point> searched;
  std::size_t explored = 0;
  try {
    std::filesystem::create_directories(scratch);
    const auto run = run_search_job(job, nullptr);
    const store::Database db(job.db);
    // Every design the search visited, by relative power and its top-1 on the search's slice;
    // those on that front are re-scored on the stand-in's images (re-scoring all would take
    // as long as the search many times over).
    std::vector<std::pair<Point, model::Design>> visited;
    for (const auto& row : stored_front(db, {run.run_id}).rows) {
      auto d = model::parse_design(row.canonical, "search", s.workload);
      visited.push_back(
          {{row.design_hash, row.score.mult_power, row.score.power_mW, row.score.energy_uJ, row.score.top1_pct},
           std::move(d)});
    }
    std::sort(visited.begin(), visited.end(), [](const auto& a, const auto& b) {
      return a.first.relative_power < b.first.relative_power ||
             (a.first.relative_power == b.first.relative_power && a.first.top1 > b.first.top1);
    });
    double best_top1 = -1;
    for (const auto& [p, d] : visited) {
      if (p.top1 <= best_top1) continue;
      best_top1 = p.top1;
      searched.push_back(score(s, model, p.name, d));
    }
    explored = visited.size();
  } catch (...) {
    std::filesystem::remove_all(scratch);
    throw;
  }
  std::filesystem::remove_all(scratch);

  // The searched designs no other beats in both relative power and top-1.
  std::sort(searched.begin(), searched.end(),
            [](const Point& a, const Point& b) { return a.relative_power < b.relative_power; });
  std::vector<Point> front;
  for (const auto& p : searched) {
    if (front.empty() || p.top1 > front.back().top1) front.push_back(p);
  }
  ReproducedTable eq;
  eq.name = "equal-power";
  eq.title = "Heterogeneous assignments from the search against the uniform ones at equal relative power";
  eq.table = Table({{"unit", "uniform multiplier"},
                    {"relative_power", "its relative power"},
                    {"uniform_top1_pct", "its top-1 (%)"},
                    {"searched_top1_pct", "best searched top-1 at no more relative power (%)"},
                    {"gain_pp", "gain (pp)"}});
  for (const auto& p : uniform) {
    double best = -1;
    for (const auto& q : front) {
      if (q.relative_power <= p.relative_power) best = std::max(best, q.top1);
    }
    if (best < 0) {
      eq.table.add({p.name, p.relative_power, p.top1, std::string("-"), std::string("-")});
    } else {
      eq.table.add({p.name, p.relative_power, p.top1, best, best - p.top1});
    }
  }
  eq.method = fmt::format(
      "`vitdse search --policy {} --budget {} --images {}` (seed {}, MCTS): a multiplier per GEMM layer from the "
      "same seven, objectives top-1 and TransAxx's relative multiplier power (`mult_power`). Of the {} designs it "
      "evaluated, those on the front of relative power against their top-1 on the search's images ({}) are "
      "re-scored on the same {} images as the uniform ones; the table takes the best of them at no more relative "
      "power than each uniform assignment. Relative power counts the multipliers alone: on "
      "vitdse's template they are a small share of chip power next to the SRAM, so a search on chip power finds "
      "nothing cheaper than exact W8A8 at a useful accuracy. TransAxx's MCTS is single-objective with an "
      "unpublished reward; vitdse's is Pareto-aware (docs/search.md) and also assigns the attention matmuls.",
      kPolicy, job.budget, job.images, options.seed, explored, searched.size(), s.images());
  r.tables.push_back(eq);

  ReproducedPlot plot;
  plot.name = "pareto-relative-power";
  plot.options.title = "vit-fmnist: top-1 against TransAxx's relative power";
  plot.options.x_label = "relative multiplier power (exact = 1)";
  plot.options.y_label = "top-1 (%)";
  Series us{"uniform assignments", {}, {}, {}, {}, true}, ms{"searched designs, Pareto front", {}, {}, {}, {}, true};
  std::sort(uniform.begin(), uniform.end(),
            [](const Point& a, const Point& b) { return a.relative_power < b.relative_power; });
  for (const auto& p : uniform) us.x.push_back(p.relative_power), us.y.push_back(p.top1);
  for (const auto& p : front) ms.x.push_back(p.relative_power), ms.y.push_back(p.top1);
  plot.series = {us, ms};
  plot.caption =
      "Each uniform multiplier, and the front (relative power against top-1) of the designs the search "
      "evaluated, on the same images.";
  r.plots.push_back(plot);
  return r;
}

}  // namespace vitdse::report

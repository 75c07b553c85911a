// vitdse sensitivity: which layers tolerate a unit, one layer at a time (TransAxx-style).
#include <ostream>

#include <spdlog/spdlog.h>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "vitdse/cluster/cluster.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/sensitivity.hpp"
#include "vitdse/report/table.hpp"
#include "vitdse/search/scoring_stack.hpp"

namespace vitdse::cli {

int sensitivity_command(Context& ctx) {
  po::options_description options("options");
  std::string model, design, data, unit, device;
  eval::EvalOptions eo;
  eo.images = 500;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel), "model card: a zoo name or a path")(
      "unit", po::value(&unit)->required(), "multiplier spec tried in each layer alone, e.g. drum:8s:k=4")(
      "design", po::value(&design), "base design (YAML); omitted: the built-in defaults (exact:8s, W8A8)")(
      "images", po::value(&eo.images)->default_value(500), "test images, sampled with --seed from the test split")(
      "seed", po::value(&eo.seed)->default_value(0), "seed for the image sample and the calibration set")(
      "data", po::value(&data), "dataset: a path or kind:path (default: $VITDSE_DATA, then the card's dataset)")(
      "calib", po::value(&eo.calibration_images)->default_value(64), "calibration images from the train split");
  add_device_option(options, device);
  add_format_options(options);
  po::variables_map vm;
  if (!parse_options(ctx, "sensitivity", "--unit SPEC [--model M] [--design D.yaml] [--images N] [--csv|--json]",
                     options, vm)) {
    return 0;
  }
  if (eo.images == 0) throw usage_error("--images must be at least 1");
  if (eo.calibration_images == 0) throw usage_error("--calib must be at least 1");

  const auto md = load_model_and_design(model, design);
  search::ScoringSetup setup;
  setup.model = model;
  setup.arch = kDefaultArch;  // the scores' cost figures are not shown
  setup.dataset = data;
  setup.eval = eo;
  setup.device = eval::parse_device(device);
  setup = setup.resolved();
  cluster::announce(setup);  // under mpirun, the other ranks load while this one does
  const search::ScoringStack stack(setup);
  const auto& card = stack.workload().card();
  const auto probes = eval::sensitivity_probes(stack.workload(), md.design, unit);
  // One batch: the base design, then each probe, scored by every rank of a job.
  std::vector<search::Candidate> batch{stack.scorer().candidate(md.design)};
  for (const auto& p : probes) batch.push_back(stack.scorer().candidate(p.design));
  spdlog::info("{}: trying {} in each of {} GEMM layers, on {} test images", card.name, unit, probes.size(),
               stack.evaluator().float_report().images);
  const auto scored = cluster::make_batch_evaluator(stack, nullptr)->evaluate(batch);
  const auto report_of = [](const search::Score& s) {
    eval::EvalReport r;
    r.top1_pct = s.top1_pct;
    r.agreement_pct = s.agreement_pct;
    r.kl_mean = s.kl_mean;
    r.snr_db = s.snr_db;
    return r;
  };
  const auto base = report_of(scored[0].score);
  std::vector<eval::LayerSensitivity> ranked;
  for (std::size_t i = 0; i < probes.size(); ++i) ranked.push_back({probes[i].layer, report_of(scored[i + 1].score)});
  eval::rank_by_sensitivity(ranked);
  const std::size_t images = stack.evaluator().float_report().images;

  report::Table table({{"layer", "layer"},
                       {"top1_pct", "top-1 %"},
                       {"top1_drop_pp", "drop pp"},
                       {"agreement_pct", "agreement %"},
                       {"kl_mean_nats", "KL nats"},
                       {"snr_dB", "SNR dB"}});
  for (const auto& s : ranked) {
    table.add({s.layer, s.report.top1_pct, base.top1_pct - s.report.top1_pct, s.report.agreement_pct, s.report.kl_mean,
               s.report.snr_db});
  }
  switch (output_format(vm)) {
    case Format::json:
      ctx.out << nlohmann::json{{"model", card.name},
                                {"unit", unit},
                                {"base_top1_pct", base.top1_pct},
                                {"images", images},
                                {"layers", table.to_json()}}
                     .dump(2)
              << '\n';
      break;
    case Format::csv:
      ctx.out << table.to_csv();
      break;
    case Format::text:
      ctx.out << card.name << ": " << unit << " in one GEMM layer at a time, on " << images
              << " test images; base design top-1 " << base.top1_pct << " %, drops against it\n\n"
              << table.to_text();
      break;
  }
  return 0;
}

}  // namespace vitdse::cli

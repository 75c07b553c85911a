// vitdse sensitivity: which layers tolerate a unit, one layer at a time (TransAxx-style).
#include <ostream>

#include <spdlog/spdlog.h>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/sensitivity.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::cli {

int sensitivity_command(Context& ctx) {
  po::options_description options("options");
  std::string model, design, data, unit;
  eval::EvalOptions eo;
  eo.images = 500;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel), "model card: a zoo name or a path")(
      "unit", po::value(&unit)->required(), "multiplier spec tried in each layer alone, e.g. drum:8s:k=4")(
      "design", po::value(&design), "base design (YAML); omitted: the built-in defaults (exact:8s, W8A8)")(
      "images", po::value(&eo.images)->default_value(500), "test images, sampled with --seed from the test split")(
      "seed", po::value(&eo.seed)->default_value(0), "seed for the image sample and the calibration set")(
      "data", po::value(&data), "dataset: a path or kind:path (default: $VITDSE_DATA, then the card's dataset)")(
      "calib", po::value(&eo.calibration_images)->default_value(64), "calibration images from the train split");
  add_format_options(options);
  po::variables_map vm;
  if (!parse_options(ctx, "sensitivity", "--unit SPEC [--model M] [--design D.yaml] [--images N] [--csv|--json]",
                     options, vm)) {
    return 0;
  }
  if (eo.images == 0) throw usage_error("--images must be at least 1");
  if (eo.calibration_images == 0) throw usage_error("--calib must be at least 1");

  const auto md = load_model_and_design(model, design);
  const auto& card = md.workload->card();
  const auto source = eval::resolve_dataset(card, data.empty() ? std::nullopt : std::optional<std::string>(data));
  const auto evaluator = eval::make_evaluator(card, eval::load_vit_weights(card), source, eo);
  const auto base = evaluator->evaluate(md.design, *md.workload);
  spdlog::info("{}: base design top-1 {:.2f} %; trying {} in each GEMM layer", card.name, base.top1_pct, unit);
  const auto ranked = eval::layer_sensitivity(*evaluator, *md.workload, md.design, unit);

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
                                {"images", base.images},
                                {"layers", table.to_json()}}
                     .dump(2)
              << '\n';
      break;
    case Format::csv:
      ctx.out << table.to_csv();
      break;
    case Format::text:
      ctx.out << card.name << ": " << unit << " in one GEMM layer at a time, on " << base.images
              << " test images; base design top-1 " << base.top1_pct << " %, drops against it\n\n"
              << table.to_text();
      break;
  }
  return 0;
}

}  // namespace vitdse::cli

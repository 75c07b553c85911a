// vitdse eval: a design's accuracy on real images, and how far it moves from the float model.
#include <ostream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/report/eval_metrics.hpp"

namespace vitdse::cli {

namespace {

arith::CalibrationMethod parse_calibration(const std::string& text) {
  if (text == "minmax") return arith::CalibrationMethod::min_max;
  if (text == "percentile") return arith::CalibrationMethod::percentile;
  if (text == "mse") return arith::CalibrationMethod::mse;
  throw usage_error("--calib-method '" + text + "' is not one of: minmax, percentile, mse");
}

}  // namespace

int eval_command(Context& ctx) {
  po::options_description options("options");
  std::string model, design, data, method, device;
  eval::EvalOptions eo;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel), "model card: a zoo name or a path")(
      "design", po::value(&design), "design file (YAML); omitted: the built-in defaults (exact:8s, W8A8)")(
      "images", po::value(&eo.images)->default_value(1000), "test images, sampled with --seed from the test split")(
      "seed", po::value(&eo.seed)->default_value(0), "seed for the image sample and the calibration set")(
      "data", po::value(&data), "dataset: a path or kind:path (default: $VITDSE_DATA, then the card's dataset)")(
      "calib", po::value(&eo.calibration_images)->default_value(64), "calibration images from the train split")(
      "calib-method", po::value(&method)->default_value("minmax"), "activation calibration: minmax|percentile|mse");
  add_device_option(options, device);
  add_format_options(options);
  po::variables_map vm;
  if (!parse_options(ctx, "eval", "[--model M] [--design D.yaml] [--images N] [--seed S] [--json|--csv]", options,
                     vm)) {
    return 0;
  }
  if (eo.images == 0) throw usage_error("--images must be at least 1");
  if (eo.calibration_images == 0) throw usage_error("--calib must be at least 1");
  eo.quant.method = parse_calibration(method);
  const eval::Device where = eval::parse_device(device);

  const auto md = load_model_and_design(model, design);
  const auto& card = md.workload->card();
  const auto source = eval::resolve_dataset(card, data.empty() ? std::nullopt : std::optional<std::string>(data));
  spdlog::info("evaluating {} on {}:{}, on {}", card.name, source.kind, source.path.string(), eval::describe(where));
  const auto evaluator = eval::make_evaluator(card, source, eo, where);
  const auto report = evaluator->evaluate(md.design, *md.workload);
  const auto metrics = report::eval_metrics(report, evaluator->float_report());
  const std::string hash = model::design_hash(md.design, *md.workload);
  switch (output_format(vm)) {
    case Format::json: {
      auto j = report::metrics_json(metrics);
      j["model"] = card.name;
      j["design_hash"] = hash;
      j["dataset"] = source.kind + ":" + source.path.string();
      ctx.out << j.dump(2) << '\n';
      break;
    }
    case Format::csv:
      ctx.out << report::metrics_csv(metrics);
      break;
    case Format::text:
      ctx.out << card.name << " on " << source.kind << ":" << source.path.string() << " (test split), design " << hash
              << "\n\n"
              << report::metrics_text(metrics);
      break;
  }
  return 0;
}

}  // namespace vitdse::cli

// vitdse cost: price a design on an accelerator template with the analytical model.
#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/cost/cost_model.hpp"
#include "vitdse/report/cost_metrics.hpp"

namespace vitdse::cli {

int cost_command(Context& ctx) {
  po::options_description options("options");
  std::string model, design, arch, tech;
  double node = 0;
  bool per_layer = false, allow_unpriced = false;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel),
                        "model card: a zoo name or a path; or an ONNX model (.onnx)")(
      "arch", po::value(&arch)->default_value(kDefaultArch), "accelerator template: a name or a path")(
      "design", po::value(&design), "design file (YAML); omitted: the built-in defaults (exact:8s, W8A8)")(
      "tech", po::value(&tech), "technology table (default: the template's)")(
      "node", po::value(&node), "technology node in nm (default: the template's)")(
      "per-layer", po::bool_switch(&per_layer), "one row per workload layer (MACs, cycles, utilisation, energy)");
  add_graph_options(options, allow_unpriced);
  add_format_options(options);
  po::variables_map vm;
  if (!parse_options(ctx, "cost",
                     "[--model M|FILE.onnx] [--allow-unpriced] [--arch A] [--design D.yaml] [--tech T] [--node NM] "
                     "[--per-layer] [--csv|--json]",
                     options, vm)) {
    return 0;
  }
  const Format format = output_format(vm);

  const auto md = load_model_and_design(model, design, {.graphs = true, .allow_unpriced = allow_unpriced});
  note_left_out(md);
  cost::ArchTemplate a = cost::load_arch(arch);
  if (!tech.empty()) a.tech = tech;
  if (vm.count("node") != 0) a.node_nm = node;
  const cost::CostModel cost_model(*md.workload, a);
  std::vector<cost::LayerCost> layers;
  const auto report = cost_model.evaluate(md.design, layers);
  const auto metrics = report::cost_metrics(report);
  const std::string hash = model::design_hash(md.design, *md.workload);
  if (per_layer) {
    const auto table = report::layer_cost_table(*md.workload, layers, format == Format::text);
    if (format == Format::json) {
      ctx.out << nlohmann::json{{"model", md.workload->card().name},
                                {"arch", a.name},
                                {"design_hash", hash},
                                {"layers", table.to_json()},
                                {"metrics", report::metrics_json(metrics)}}
                     .dump(2)
              << '\n';
    } else if (format == Format::csv) {
      ctx.out << table.to_csv();
    } else {
      ctx.out << "model " << md.workload->card().name << " on " << a.name << ", design " << hash
              << ": each layer's share (static energy shared out by cycles)\n\n"
              << table.to_text();
    }
    return 0;
  }

  if (format == Format::json) {
    nlohmann::json j{
        {"model", md.workload->card().name},       {"arch", a.name},       {"tech", cost_model.tech().name()},
        {"target", cost::to_string(a.target)},     {"node_nm", a.node_nm}, {"design_hash", hash},
        {"metrics", report::metrics_json(metrics)}};
    ctx.out << j.dump(2) << '\n';
  } else if (format == Format::csv) {
    ctx.out << report::metrics_csv(metrics);
  } else {
    const std::string target = a.target == cost::Target::fpga
                                   ? a.fpga.device
                                   : cost_model.tech().name() + " at " + format_number(a.node_nm) + " nm";
    ctx.out << "model " << md.workload->card().name << " on " << a.name << " (" << target << ", "
            << format_number(a.clock_GHz) << " GHz, " << a.pes() << " MACs, " << cost::to_string(a.mapping)
            << " mapping), design " << hash << "\n\n"
            << report::metrics_text(metrics);
  }
  return 0;
}

}  // namespace vitdse::cli

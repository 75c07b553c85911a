// vitdse units: the registered arithmetic-unit families, or one unit's error metrics and cost.
#include <ostream>

#include <nlohmann/json.hpp>

#include "cli/options.hpp"
#include "vitdse/arith/metrics.hpp"
#include "vitdse/arith/multiplier_registry.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/cost/technology.hpp"
#include "vitdse/report/nonlinear_report.hpp"
#include "vitdse/report/unit_metrics.hpp"

namespace vitdse::cli {

namespace {

int list_families(Context& ctx, const std::string& only, Format format) {
  std::vector<std::string> names;
  report::Table table({{"family", "family"}, {"bits", "bits"}, {"params", "parameters"}, {"summary", "summary"}});
  for (const auto& f : arith::multiplier_families()) {
    names.push_back(f.name);
    if (!only.empty() && f.name != only) continue;
    std::vector<std::string> params;
    for (const auto& p : f.params) params.push_back(p.key + "=" + p.range);
    table.add({f.name, std::to_string(f.min_bits) + ".." + std::to_string(f.max_bits) + " s|u",
               params.empty() ? std::string("-") : join(params, "; "), f.summary});
  }
  if (table.rows() == 0) {
    throw Error("unknown unit family '" + only + "'" + did_you_mean(only, names) + "; available: " + join(names));
  }
  if (format == Format::json) {
    ctx.out << table.to_json().dump(2) << '\n';
  } else if (format == Format::csv) {
    ctx.out << table.to_csv();
  } else {
    ctx.out << "multiplier families (spec: family:<bits><s|u>[:key=value]...):\n\n" << table.to_text();
  }
  return 0;
}

/// "8,16,32" -> {8, 16, 32}; ranges are the units' to check.
std::vector<int> parse_lengths(const std::string& text) {
  std::vector<int> out;
  for (const auto& field : split(text, ',')) {
    std::size_t used = 0;
    int value = 0;
    try {
      value = std::stoi(field, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (field.empty() || used != field.size()) {
      throw usage_error("--L '" + text + "': expected comma-separated stream lengths such as 8,16,32,64,128");
    }
    out.push_back(value);
  }
  return out;
}

std::string lengths_list(const std::vector<int>& lengths) {
  std::vector<std::string> items;
  for (const int l : lengths) items.push_back(std::to_string(l));
  return join(items, ", ");
}

}  // namespace

int units_command(Context& ctx) {
  po::options_description options("options");
  std::string family, spec, tech, report_name, lengths_text;
  double node = 45;
  options.add_options()("family", po::value(&family), "list only this family")(
      "spec", po::value(&spec), "report one unit's error metrics and cost, e.g. drum:8u:k=6")(
      "node", po::value(&node)->default_value(45), "technology node in nm for --spec")(
      "tech", po::value(&tech)->default_value("cmos45"), "technology table for --spec and --report")(
      "report", po::value(&report_name),
      "'nonlinear': accuracy against cost of every GELU, softmax and LayerNorm unit")(
      "L", po::value(&lengths_text), "stream lengths for the SC units of --report nonlinear, e.g. 8,16,32,64,128");
  add_format_options(options);
  po::variables_map vm;
  if (!parse_options(ctx, "units",
                     "[--family F | --spec SPEC | --report nonlinear [--L 8,16,...]] [--node NM] [--csv|--json]",
                     options, vm))
    return 0;
  const Format format = output_format(vm);
  if (!report_name.empty()) {
    if (report_name != "nonlinear") throw usage_error("--report '" + report_name + "' is not one of: nonlinear");
    const auto lengths = lengths_text.empty() ? report::default_sc_lengths() : parse_lengths(lengths_text);
    const auto table =
        report::nonlinear_report(report::default_nonlinear_specs(lengths), cost::load_technology(tech, node));
    if (format == Format::json) {
      ctx.out << table.to_json().dump(2) << '\n';
    } else if (format == Format::csv) {
      ctx.out << table.to_csv();
    } else {
      ctx.out << "nonlinear units at " << format_number(node) << " nm; errors against the exact function on:\n"
              << "  GELU: 8,001 points on [-4, 4]; softmax: 256 rows of 64 logits ~ N(0, 2^2);\n"
              << "  LayerNorm: 256 rows of 192 values ~ N(0.5, 1.5^2) with one outlier of 20 per row.\n"
              << "SC units at stream lengths L = " << lengths_list(lengths) << "; SC GELU inputs clamped to [-4, 4].\n"
              << "Costs per output element; row work amortised over 64 elements.\n\n"
              << table.to_text();
    }
    return 0;
  }
  if (!lengths_text.empty()) throw usage_error("--L applies to --report nonlinear only");
  if (spec.empty()) return list_families(ctx, family, format);
  if (!family.empty()) throw usage_error("--family and --spec are mutually exclusive");

  const auto unit = arith::make_multiplier(spec);
  const auto technology = cost::load_technology(tech, node);
  const auto error = arith::error_metrics(*unit);
  const auto metrics = report::unit_metrics(error, technology.price(*unit));
  if (format == Format::json) {
    nlohmann::json j = report::metrics_json(metrics);
    j["spec"] = unit->spec();
    j["node_nm"] = node;
    j["pairs"] = error.pairs;
    j["exhaustive"] = error.exhaustive;
    ctx.out << j.dump(2) << '\n';
  } else if (format == Format::csv) {
    ctx.out << report::metrics_csv(metrics);
  } else {
    ctx.out << unit->spec() << " at " << format_number(node) << " nm (" << technology.name() << "), "
            << (error.exhaustive ? "exhaustive over " : "sampled over ") << error.pairs << " operand pairs\n\n"
            << report::metrics_text(metrics);
  }
  return 0;
}

}  // namespace vitdse::cli

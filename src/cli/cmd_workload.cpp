// vitdse workload: the per-layer operation list of a model, optionally under a design.
#include <cmath>
#include <ostream>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "vitdse/report/table.hpp"

namespace vitdse::cli {

namespace {

std::string dims(std::int64_t groups, std::int64_t a, std::int64_t b) {
  return (groups > 1 ? std::to_string(groups) + "x" : "") + std::to_string(a) + "x" + std::to_string(b);
}

std::int64_t whole(double x) { return std::llround(x); }

}  // namespace

int workload_command(Context& ctx) {
  po::options_description options("options");
  std::string model, design;
  bool allow_unpriced = false;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel),
                        "model card: a zoo name (see 'vitdse list') or a path; or an ONNX model (.onnx)")(
      "design", po::value(&design), "design file (YAML); its token and FFN2 pruning change the counts");
  add_graph_options(options, allow_unpriced);
  add_format_options(options);
  po::variables_map vm;
  if (!parse_options(ctx, "workload", "[--model M|FILE.onnx] [--design D.yaml] [--allow-unpriced] [--csv|--json]",
                     options, vm)) {
    return 0;
  }
  const Format format = output_format(vm);

  const auto md = load_model_and_design(model, design, {.graphs = true, .allow_unpriced = allow_unpriced});
  note_left_out(md);
  const auto& w = *md.workload;
  const auto schedule = w.token_schedule(md.design.keep_after_block(w));

  report::Table table({{"layer", "layer"},
                       {"kind", "kind"},
                       {"block", "block"},
                       {"input", "input"},
                       {"output", "output"},
                       {"macs", "MACs"},
                       {"params", "params"},
                       {"exp", "exp"},
                       {"erf", "erf"},
                       {"div", "div"},
                       {"sqrt", "sqrt"}});
  double macs = 0, exp = 0, erf = 0, div = 0, sqrt = 0;
  for (std::size_t i = 0; i < w.layers().size(); ++i) {
    const auto& layer = w.layers()[i];
    const auto c = model::design_counts(w, md.design, i, schedule);
    const bool gemm = c.k > 0;
    macs += c.macs;
    exp += c.nonlinear.exp;
    erf += c.nonlinear.erf;
    div += c.nonlinear.div;
    sqrt += c.nonlinear.sqrt;
    table.add({layer.name, model::to_string(layer.kind), std::int64_t{layer.block},
               gemm ? dims(c.groups, c.m, c.k) : dims(c.groups, c.m, c.n), dims(c.groups, c.m, c.n), whole(c.macs),
               layer.params, whole(c.nonlinear.exp), whole(c.nonlinear.erf), whole(c.nonlinear.div),
               whole(c.nonlinear.sqrt)});
  }
  table.add({std::string("total"), std::string(""), std::int64_t{-1}, std::string(""), std::string(""), whole(macs),
             w.params(), whole(exp), whole(erf), whole(div), whole(sqrt)});

  const auto& card = w.card();
  const bool vit = card.family == model::Family::vit && !w.from_graph();
  const std::string matmuls =
      w.from_graph() ? "every MatMul of two activations"
      : vit          ? (card.attention == model::Attention::softmax ? "attn.qk, attn.av" : "attn.kv, attn.qkv_out")
                     : "attn.kv, attn.qkv_out";
  const std::string family = w.from_graph() ? "onnx" : model::to_string(card.family);
  if (format == Format::json) {
    nlohmann::json j{{"model", card.name},
                     {"family", family},
                     {"attention_matmuls_included", true},
                     {"attention_matmuls", matmuls},
                     {"layers", table.to_json()}};
    if (w.from_graph()) {
      j["unpriced"] = md.unpriced;
      j["not_counted"] = md.uncounted;
    }
    ctx.out << j.dump(2) << '\n';
  } else if (format == Format::csv) {
    ctx.out << table.to_csv();
  } else {
    ctx.out << "model " << card.name << " (" << family << "): " << w.layers().size() << " layers, " << w.block_count()
            << " blocks";
    if (vit) ctx.out << ", " << card.tokens() << " tokens in, " << schedule.back() << " after the last block";
    ctx.out
        << "\nshapes are GEMM views (rows x reduction -> rows x columns, groups first); block -1 is outside blocks\n"
        << "MACs include the attention matmuls (" << matmuls << ")\n\n"
        << table.to_text() << '\n'
        << "total: " << macs / 1e9 << " GMACs, " << static_cast<double>(w.params()) / 1e6 << " M parameters\n";
  }
  return 0;
}

}  // namespace vitdse::cli

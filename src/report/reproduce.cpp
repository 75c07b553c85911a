// `vitdse reproduce`: the paper registry, comparison tables, and the report writer.
#include "vitdse/report/reproduce.hpp"

#include <cmath>
#include <functional>
#include <map>

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::report {

namespace {

using Builder = std::function<PaperReport(const ReproduceOptions&)>;

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> all{{"ascend", reproduce_ascend},
                                                  {"lowpower", reproduce_lowpower},
                                                  {"transaxx", reproduce_transaxx},
                                                  {"trio-vit", reproduce_trio}};
  return all;
}

std::string markdown_cell(const Cell& cell) {
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
  return format_number(std::get<double>(cell), 4);
}

}  // namespace

StandIn::StandIn(const std::string& model, const ReproduceOptions& options)
    : card(model::load_model_card(model)),
      workload(card),
      source(
          eval::resolve_dataset(card, options.data.empty() ? std::nullopt : std::optional<std::string>(options.data))) {
  eval_options.images = options.images > 0 ? options.images : options.fast ? 1000 : 10000;
  eval_options.seed = options.seed;
  finetune_images = options.finetune_images > 0 ? options.finetune_images : options.fast ? 2000 : 10000;
  device = options.device;
  if (card.family == model::Family::efficientvit) {
    evaluator = eval::make_evaluator(card, source, eval_options, device);
    return;
  }
  weights = eval::load_vit_weights(card);
  evaluator = eval::make_evaluator(card, weights, source, eval_options, device);
}

double StandIn::top1(const std::string& design_yaml) const {
  return top1(model::parse_design(design_yaml, "reproduce", workload));
}

double StandIn::top1(const model::Design& design) const { return evaluator->evaluate(design, workload).top1_pct; }

double StandIn::top1(const eval::VitWeights& tuned, const model::Design& design) const {
  return eval::make_evaluator(card, tuned, source, eval_options, device)->evaluate(design, workload).top1_pct;
}

eval::VitWeights StandIn::finetuned(const eval::VitWeights& from, const model::Design& design,
                                    const train::FinetuneOptions& finetune) const {
  train::TrainOptions o = train::finetune_defaults();
  o.epochs = 1;
  o.seed = eval_options.seed;
  return train::finetune_weights(card, from, workload, design, source, o, finetune_images, finetune);
}

std::string role_name(Role role) {
  switch (role) {
    case Role::prediction:
      return "prediction";
    case Role::input:
      return "input";
    case Role::derived:
      return "derived";
    case Role::context:
      return "context";
  }
  return "context";
}

std::optional<double> Comparison::ratio() const {
  if (!paper || *paper == 0.0) return std::nullopt;
  return vitdse / *paper;
}

bool Comparison::scored() const { return role == Role::prediction && tolerance && ratio(); }

bool Comparison::within() const { return !scored() || std::abs(*ratio() - 1.0) <= *tolerance; }

Comparison prediction(std::string figure, std::string unit, double paper, double vitdse, double tolerance,
                      std::string note) {
  return {std::move(figure), std::move(unit), paper, vitdse, tolerance, std::move(note), Role::prediction};
}

Comparison input(std::string figure, std::string unit, double paper, double vitdse, std::string note) {
  return {std::move(figure), std::move(unit), paper, vitdse, std::nullopt, std::move(note), Role::input};
}

Comparison derived(std::string figure, std::string unit, std::optional<double> paper, double vitdse, std::string note) {
  return {std::move(figure), std::move(unit), paper, vitdse, std::nullopt, std::move(note), Role::derived};
}

Comparison context(std::string figure, std::string unit, std::optional<double> paper, double vitdse, std::string note) {
  return {std::move(figure), std::move(unit), paper, vitdse, std::nullopt, std::move(note), Role::context};
}

PredictionCount count_predictions(const PaperReport& report) {
  PredictionCount n;
  for (const auto& t : report.tables) {
    for (const auto& c : t.comparisons) {
      if (!c.scored()) continue;
      ++n.scored;
      n.within += c.within() ? 1 : 0;
    }
  }
  return n;
}

Table comparison_table(const std::vector<Comparison>& rows) {
  Table t({{"figure", "figure"},
           {"role", "role"},
           {"unit", "unit"},
           {"paper", "paper"},
           {"vitdse", "vitdse"},
           {"ratio", "vitdse / paper"},
           {"tolerance_pct", "tolerance"},
           {"within", "within"},
           {"note", "note"}});
  for (const auto& c : rows) {
    if (c.tolerance && c.role != Role::prediction) {
      throw Error("comparison row '" + c.figure + "' has a tolerance but is a " + role_name(c.role) + " row");
    }
    const auto r = c.ratio();
    t.add({c.figure, role_name(c.role), c.unit, c.paper ? Cell(*c.paper) : Cell(std::string("-")), c.vitdse,
           r ? Cell(*r) : Cell(std::string("-")),
           c.tolerance ? Cell(fmt::format("±{}%", format_number(100.0 * *c.tolerance, 3))) : Cell(std::string("-")),
           std::string(!c.scored()  ? "-"
                       : c.within() ? "yes"
                                    : "no"),
           c.note});
  }
  return t;
}

std::string markdown_table(const Table& table) {
  const auto& columns = table.columns();
  std::string out = "|";
  for (const auto& c : columns) out.append(" ").append(c.label).append(" |");
  out += "\n|";
  for (std::size_t i = 0; i < columns.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& row : table.cells()) {
    out += "|";
    for (const auto& cell : row) out.append(" ").append(markdown_cell(cell)).append(" |");
    out += "\n";
  }
  return out;
}

const std::vector<std::string>& reproducible_papers() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, builder] : builders()) n.push_back(name);
    return n;
  }();
  return names;
}

PaperReport reproduce_paper(const std::string& paper, const ReproduceOptions& options) {
  const auto it = builders().find(paper);
  if (it == builders().end()) {
    throw Error("unknown paper '" + paper + "'" + did_you_mean(paper, reproducible_papers()) +
                "; reproducible: " + join(reproducible_papers()) + ", or all");
  }
  return it->second(options);
}

std::vector<std::filesystem::path> write_paper_report(const PaperReport& report, const std::filesystem::path& dir,
                                                      const std::string& command_line) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create '" + dir.string() + "': " + ec.message());
  std::vector<std::filesystem::path> written;
  const auto n = count_predictions(report);
  std::string md = "# " + report.title + "\n\n" + report.citation + "\n\n" + report.summary + "\n\nMade by `" +
                   command_line + "`: " + std::to_string(n.within) + " of " + std::to_string(n.scored) +
                   " predictions within tolerance. Ratios are vitdse / paper. Each comparison row has a role: a "
                   "*prediction* is vitdse's own figure for the paper's, scored against its tolerance and checked "
                   "by the tests; an *input* is the paper's figure taken into a template; a *derived* row follows "
                   "from other rows; *context* has no paper figure of the same kind.\n";
  for (const auto& t : report.tables) {
    const auto csv = dir / (t.name + ".csv");
    write_file_atomically(csv, t.table.to_csv());
    written.push_back(csv);
    md += "\n## " + t.title + "\n\n" + t.method + "\n\n" + markdown_table(t.table) + "\n[" + t.name + ".csv](" +
          t.name + ".csv)\n";
  }
  for (const auto& p : report.plots) {
    const auto svg = dir / (p.name + ".svg");
    write_file_atomically(svg, svg_plot(p.series, p.options));
    written.push_back(svg);
    md += "\n## " + p.options.title + "\n\n![" + p.options.title + "](" + p.name + ".svg)\n\n" + p.caption + "\n";
  }
  const auto readme = dir / "README.md";
  write_file_atomically(readme, md);
  written.insert(written.begin(), readme);
  return written;
}

}  // namespace vitdse::report

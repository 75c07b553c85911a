// `vitdse reproduce`: the four source papers' trade-off tables, rebuilt with vitdse's models and
// set side by side with the published figures.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vitdse/eval/evaluator.hpp"
#include "vitdse/model/workload.hpp"
#include "vitdse/report/svg_plot.hpp"
#include "vitdse/report/table.hpp"
#include "vitdse/train/finetune.hpp"

namespace vitdse::report {

/// What a row of a comparison table is, which decides whether it counts as a result.
enum class Role {
  prediction,  ///< vitdse's own figure for the paper's: counted in "N of M within tolerance"
  input,       ///< the paper's figure, taken into a template or design: it agrees by construction
  derived,     ///< follows arithmetically from other rows or inputs, so it is not counted again
  context,     ///< no figure of the same kind in the paper, or an explanation of another row
};

/// The role's name in the tables ("prediction", "input", "derived", "context").
std::string role_name(Role role);

/// One published figure against vitdse's. Only predictions carry a tolerance: they are the
/// figures vitdse must match; the other roles are shown, never scored.
struct Comparison {
  std::string figure;
  std::string unit;
  std::optional<double> paper;  ///< absent where the paper gives no such figure
  double vitdse = 0;
  std::optional<double> tolerance;  ///< a fraction (0.1 is ±10%), predictions only
  std::string note;                 ///< where the figure comes from, or why it differs
  Role role = Role::context;

  /// vitdse / paper, where the paper has the figure.
  [[nodiscard]] std::optional<double> ratio() const;
  /// A prediction with a paper figure, which `within()` scores.
  [[nodiscard]] bool scored() const;
  /// Within tolerance (true for rows that are not scored).
  [[nodiscard]] bool within() const;
};

/// Rows by role.
Comparison prediction(std::string figure, std::string unit, double paper, double vitdse, double tolerance,
                      std::string note);
Comparison input(std::string figure, std::string unit, double paper, double vitdse, std::string note);
Comparison derived(std::string figure, std::string unit, std::optional<double> paper, double vitdse, std::string note);
Comparison context(std::string figure, std::string unit, std::optional<double> paper, double vitdse, std::string note);

/// Over every table of a report: the scored predictions and how many are within tolerance.
struct PredictionCount {
  int scored = 0, within = 0;
};

/// Comparisons as a table: figure, role, unit, paper, vitdse, ratio, tolerance, within, note.
Table comparison_table(const std::vector<Comparison>& rows);

/// One table of a paper's report, with the paragraph that says how it was made.
struct ReproducedTable {
  std::string name;    ///< file stem of its CSV, e.g. "ops-reduction"
  std::string title;   ///< heading in the report
  std::string method;  ///< method, stand-ins and deviations, in Markdown
  Table table{{}};
  std::vector<Comparison> comparisons;  ///< the rows of `table` when it is a comparison table
};

/// An SVG plot of the report.
struct ReproducedPlot {
  std::string name;  ///< file stem
  std::string caption;
  std::vector<Series> series;
  PlotOptions options;
};

struct PaperReport {
  std::string paper;  ///< "ascend", "transaxx", "trio-vit", "lowpower"
  std::string title;
  std::string citation;
  std::string summary;  ///< what is compared with the paper, what on a stand-in, in Markdown
  std::vector<ReproducedTable> tables;
  std::vector<ReproducedPlot> plots;
};

struct ReproduceOptions {
  /// Only the analytical tables and small functional samples (the CI form, minutes at most).
  bool fast = false;
  std::size_t images = 0;  ///< test images for the functional tables; 0: 1,000 with `fast`, else 10,000
  std::string data;        ///< dataset override for the functional tables ("" = each card's own)
  std::uint64_t seed = 0;
  eval::Device device;  ///< where the functional tables' designs are evaluated
  /// Training images of each fine-tuning (one epoch); 0: 2,000 with `fast`, else 10,000.
  std::size_t finetune_images = 0;
};

/// A stand-in model scored on real images: the shipped `model` on its dataset (or
/// `options.data`), on `options.images` test images (default 1,000 with --fast, else 10,000).
struct StandIn {
  explicit StandIn(const std::string& model, const ReproduceOptions& options);
  model::ModelCard card;
  model::Workload workload;
  eval::DatasetSource source;
  eval::EvalOptions eval_options;
  eval::Device device;
  eval::VitWeights weights;  ///< the shipped, trained weights of a ViT (the tuned forms below are ViT only)
  std::size_t finetune_images = 0;
  std::unique_ptr<eval::Evaluator> evaluator;
  [[nodiscard]] std::size_t images() const { return evaluator->float_report().images; }
  /// Top-1 (%) of a design given as design-file YAML.
  [[nodiscard]] double top1(const std::string& design_yaml) const;
  /// Top-1 (%) of a design on the shipped weights.
  [[nodiscard]] double top1(const model::Design& design) const;
  /// Top-1 (%) of `design` run on `weights`, on the same test images.
  [[nodiscard]] double top1(const eval::VitWeights& tuned, const model::Design& design) const;
  /// `from` after one epoch over `finetune_images` training images with `design` in the loop, at
  /// `vitdse finetune`'s settings (AdamW, peak lr 2e-4, warm-up 0.2 epoch, no augmentation).
  [[nodiscard]] eval::VitWeights finetuned(const eval::VitWeights& from, const model::Design& design,
                                           const train::FinetuneOptions& finetune = {}) const;
};

/// The scored predictions of every table of `report`, and how many are within tolerance.
PredictionCount count_predictions(const PaperReport& report);

/// The papers `reproduce` knows, in report order.
const std::vector<std::string>& reproducible_papers();
/// Rebuilds one paper's tables. Unknown names throw Error listing the known ones.
PaperReport reproduce_paper(const std::string& paper, const ReproduceOptions& options);

PaperReport reproduce_lowpower(const ReproduceOptions& options);
PaperReport reproduce_ascend(const ReproduceOptions& options);
PaperReport reproduce_trio(const ReproduceOptions& options);
PaperReport reproduce_transaxx(const ReproduceOptions& options);

/// Writes `dir`/README.md (the tables with their paragraphs and the plots), one CSV per table
/// and one SVG per plot, creating `dir`. Returns the files written.
std::vector<std::filesystem::path> write_paper_report(const PaperReport& report, const std::filesystem::path& dir,
                                                      const std::string& command_line);

/// Table rows as a Markdown table (numbers to 4 significant digits).
std::string markdown_table(const Table& table);

}  // namespace vitdse::report

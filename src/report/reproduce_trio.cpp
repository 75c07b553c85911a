// Trio-ViT (Shi et al., arXiv 2405.03882): post-training quantisation of an EfficientViT and of a
// softmax-free ViT, per-tensor, per-channel, then with channel migration, filter-wise shifting,
// a log2 divider and MSE weights; and what softmax-free attention changes in the workload and
// its cost.
#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <optional>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/report/reproduce.hpp"

namespace vitdse::report {

namespace {

constexpr const char* kAsicArch = "lowpower-vit-28nm";
constexpr const char* kFpgaArch = "efficientvit-zcu102";
constexpr double kPredecessorGops = 780.2;      // Shao et al. 2024, "up to", ZCU102 at 200 MHz
constexpr double kPredecessorGopsPerW = 105.1;  // the same

/// Weight and activation widths of the PTQ tables.
const std::vector<std::pair<int, int>> kWidths{{8, 8}, {6, 6}, {4, 8}, {4, 4}};

/// A PTQ ladder: each scheme (a row name and design fields) at every width of kWidths, as
/// `vitdse eval` designs on `stand_in`; `top1` gets each row's figures by width.
Table ptq_ladder(const StandIn& stand_in, const std::vector<std::pair<std::string, std::string>>& schemes,
                 std::vector<std::vector<double>>* top1 = nullptr) {
  std::vector<Column> columns{{"scheme", "quantisation"}};
  for (const auto& [wb, ab] : kWidths) {
    columns.push_back({fmt::format("w{}a{}_top1_pct", wb, ab), fmt::format("W{}A{} top-1 (%)", wb, ab)});
  }
  Table table(columns);
  for (const auto& [name, fields] : schemes) {
    std::vector<Cell> row{name};
    std::vector<double> figures;
    for (const auto& [wb, ab] : kWidths) {
      figures.push_back(stand_in.top1(fmt::format("defaults: {{wbits: {}, abits: {}, {}}}", wb, ab, fields)));
      row.emplace_back(figures.back());
    }
    table.add(std::move(row));
    if (top1 != nullptr) top1->push_back(std::move(figures));
  }
  return table;
}

ReproducedTable ptq_table(const ReproduceOptions& o) {
  ReproducedTable t;
  t.name = "ptq";
  t.title = "Post-training quantisation of a softmax-free ViT (stand-in: vit-fmnist-linear)";
  const StandIn stand_in("vit-fmnist-linear", o);
  const double float_top1 = stand_in.evaluator->float_report().top1_pct;
  t.table = ptq_ladder(stand_in,
                       {{"per-tensor", "wquant: per-tensor"},
                        {"per-channel", "wquant: per-channel"},
                        {"per-channel + migration + shifting + log2 divider", "transform: migrate+shift, divide: log2"},
                        {"ablation: per-channel + shifting", "transform: shift"},
                        {"ablation: per-channel + migration", "transform: migrate"},
                        {"ablation: per-channel + log2 divider", "divide: log2"},
                        {"ablation: per-channel + migration + shifting", "transform: migrate+shift"}});
  t.method = fmt::format(
      "Trio-ViT's PTQ engine on EfficientViT (ImageNet, AdaRound weights, learned activation steps) reports about "
      "0.92% top-1 drop at W8A8; its per-model tables for EfficientViT are not available to us. The stand-in is "
      "vitdse's `vit-fmnist-linear` (EfficientViT's ReLU linear attention in a plain ViT, float top-1 {:.2f}% on "
      "these {} Fashion-MNIST test images), quantised post-training by `vitdse eval` designs: weights symmetric "
      "per tensor or per output channel (min-max), activations symmetric per tensor calibrated on 64 training "
      "images, every GEMM on integer codes; then Trio-ViT's channel-wise migration and filter-wise shifting on "
      "the input of every linear layer (folded into weights and bias) and the attention denominator rounded to a "
      "power of two in 2^-6..2^9 so the division is a shift (docs/formats.md). No AdaRound or learned steps. "
      "The ablation rows add one technique at a time. On this model the full recipe does not beat plain "
      "per-channel PTQ: migration moves an outlier input channel's range into its weight column, and a linear "
      "layer quantises a weight row across all its input channels, so at 4-bit weights the rows lose more than "
      "the activations gain (Trio-ViT migrates depthwise-convolution inputs, whose weights are per channel; "
      "SmoothQuant splits the range between the two); the log2 divider rounds each denominator by up to ±41%.",
      float_top1, stand_in.images());
  return t;
}

/// Trio-ViT's ladder on the real family: every recipe step alone, then the full recipe, on
/// `efficientvit-fmnist`; the plot is top-1 against bits (W = A) per recipe.
ReproducedTable efficientvit_ptq_table(const ReproduceOptions& o, ReproducedPlot& plot) {
  ReproducedTable t;
  t.name = "ptq-efficientvit";
  t.title = "Post-training quantisation of an EfficientViT (efficientvit-fmnist)";
  const StandIn model("efficientvit-fmnist", o);
  const double float_top1 = model.evaluator->float_report().top1_pct;
  struct Recipe {
    std::string row, legend, fields;
  };
  const std::vector<Recipe> recipes{{"per-tensor", "per-tensor", "wquant: per-tensor"},
                                    {"per-channel", "per-channel", "wquant: per-channel"},
                                    {"per-channel + migration (depthwise inputs)", "+ migration", "transform: migrate"},
                                    {"per-channel + shifting (1x1 inputs)", "+ shifting", "transform: shift"},
                                    {"per-channel + log2 divider", "+ log2 divider", "divide: log2"},
                                    {"per-channel MSE weights", "MSE weights", "wquant: per-channel-mse"},
                                    {"full recipe: MSE weights + migration + shifting + log2 divider", "full recipe",
                                     "wquant: per-channel-mse, transform: migrate+shift, divide: log2"}};
  std::vector<std::pair<std::string, std::string>> schemes;
  for (const auto& r : recipes) schemes.emplace_back(r.row, r.fields);
  std::vector<std::vector<double>> top1;
  t.table = ptq_ladder(model, schemes, &top1);
  // The widths where W = A, by bits.
  std::vector<std::pair<int, std::size_t>> equal;
  for (std::size_t j = 0; j < kWidths.size(); ++j) {
    if (kWidths[j].first == kWidths[j].second) equal.emplace_back(kWidths[j].first, j);
  }
  std::sort(equal.begin(), equal.end());
  for (std::size_t i = 0; i < recipes.size(); ++i) {
    Series line{recipes[i].legend, {}, {}, {}, {}, false};
    for (const auto& [bits, j] : equal) {
      line.x.push_back(bits);
      line.y.push_back(top1[i][j]);
    }
    plot.series.push_back(std::move(line));
  }
  plot.name = "ptq-efficientvit";
  plot.options.title = "efficientvit-fmnist: top-1 against bits per recipe";
  plot.options.x_label = "weight and activation bits (W = A)";
  plot.options.y_label = "top-1 (%)";
  plot.caption = fmt::format("Each PTQ recipe of the `ptq-efficientvit` table at W4A4, W6A6 and W8A8 (float: {:.2f}%).",
                             float_top1);
  const auto width = [](int wb, int ab) {
    return static_cast<std::size_t>(std::find(kWidths.begin(), kWidths.end(), std::pair{wb, ab}) - kWidths.begin());
  };
  const std::size_t w8a8 = width(8, 8), w6a6 = width(6, 6), w4a8 = width(4, 8), w4a4 = width(4, 4);
  const auto& per_channel = top1[1];
  const auto& full = top1.back();
  t.method = fmt::format(
      "The ladder on a real EfficientViT: `efficientvit-fmnist` (timm's B-series layout, trained by `vitdse train`, "
      "float top-1 {:.2f}% on these {} Fashion-MNIST test images), quantised post-training by `vitdse eval` "
      "designs. Every convolution (stem, depthwise, 1x1, LiteMLA's aggregation), LiteMLA product and head layer runs "
      "on integer codes; weights are symmetric per output channel after batch-norm folding (min-max, or with "
      "`per-channel-mse` each channel's clip minimising its MSE), activations symmetric per tensor calibrated on 64 "
      "training images. Trio-ViT's transforms go where the paper puts them: channel-wise migration on "
      "depthwise-convolution inputs (folded into each filter), filter-wise shifting on 1x1-convolution inputs "
      "(folded into the bias), and the LiteMLA denominator rounded to a power of two (docs/formats.md). No "
      "AdaRound or learned steps. At W4A4 plain per-channel PTQ gives {:.2f}% and the full recipe {:.2f}% "
      "({:+.2f} points); at W6A6, {:.2f}% and {:.2f}%; at W4A8, where activations keep 8 bits, {:.2f}% and "
      "{:.2f}%; at W8A8, {:.2f}% and {:.2f}%. {}",
      float_top1, model.images(), per_channel[w4a4], full[w4a4], full[w4a4] - per_channel[w4a4], per_channel[w6a6],
      full[w6a6], per_channel[w4a8], full[w4a8], per_channel[w8a8], full[w8a8],
      full[w4a4] > per_channel[w4a4] + 0.5
          ? "Here the paper's finding holds on its own family: the recipe recovers part of what plain PTQ loses at "
            "low activation bits, where the stand-in ViT lost ground."
          : "The paper's finding, that the full recipe recovers what plain PTQ loses at low activation bits, does "
            "not hold on this model at these widths.");
  return t;
}

/// A card with its attention swapped, for the same shapes under the other attention.
model::ModelCard with_attention(model::ModelCard card, model::Attention attention) {
  card.attention = attention;
  card.name += attention == model::Attention::linear_relu ? "-linear" : "-softmax";
  return card;
}

/// The workloads on one template, and the published MAC counts they are checked against.
std::vector<ReproducedTable> workload_tables() {
  ReproducedTable t, checks;
  t.name = "workloads";
  t.title = "EfficientViT-B1 against DeiT, and softmax-free attention against softmax";
  const cost::ArchTemplate arch = cost::load_arch(kAsicArch);
  struct Row {
    std::string name;
    model::ModelCard card;
    std::optional<double> paper_gmacs;
  };
  const auto deit_tiny = model::load_model_card("deit-tiny"), deit_small = model::load_model_card("deit-small");
  const std::vector<Row> rows{
      {"efficientvit-b1", model::load_model_card("efficientvit-b1"), 0.52},
      {"deit-tiny", deit_tiny, 1.25},
      {"deit-tiny, ReLU linear attention", with_attention(deit_tiny, model::Attention::linear_relu), std::nullopt},
      {"deit-small", deit_small, 4.60},
      {"deit-small, ReLU linear attention", with_attention(deit_small, model::Attention::linear_relu), std::nullopt},
  };
  t.table = Table({{"model", "model"},
                   {"gmacs", "GMACs"},
                   {"fps", "frames/s"},
                   {"utilisation_pct", "PE utilisation (%)"},
                   {"energy_uJ", "energy (µJ)"},
                   {"tops_per_W", "TOPS/W (chip)"}});
  for (const auto& r : rows) {
    const model::Workload w(r.card);
    const auto c = cost::CostModel(w, arch).evaluate(model::default_design(w));
    t.table.add({r.name, c.macs / 1e9, c.fps, 100.0 * c.utilisation, c.energy.total_uJ(), c.tops_per_W});
    if (r.paper_gmacs) {
      checks.comparisons.push_back(prediction(r.name + " MACs", "GMACs", *r.paper_gmacs, c.macs / 1e9, 0.10,
                                              "REFERENCE.md (attention matmuls included)"));
    }
  }
  t.method =
      "The cost model's figures on one ASIC template for every model: `lowpower-vit-28nm` (512 MACs at 1 GHz, "
      "W8A8, grouped convolutions one group at a time); the FPGA tables below use Trio-ViT's predecessor. "
      "EfficientViT-B1 has 41% of DeiT-T's MACs but its "
      "depthwise convolutions keep a GEMM array badly utilised, which is why Trio-ViT builds a reconfigurable "
      "engine for them; and swapping softmax attention for ReLU linear attention at 197 tokens removes the N² "
      "terms (q·kᵀ, p·v and the exponentials).";
  checks.name = "gmacs";
  checks.title = "The workloads' MACs against published counts";
  checks.method =
      "vitdse's workloads at 224×224, counted layer by layer (docs/formats.md), against the counts in timm's and "
      "the papers' model cards, attention matmuls included.";
  checks.table = comparison_table(checks.comparisons);
  return {checks, t};
}

/// The models on the FPGA template of Trio-ViT's predecessor: FPS, DSP efficiency and block RAM,
/// and the predecessor's published throughput and efficiency against the template's.
std::vector<ReproducedTable> fpga_tables() {
  ReproducedTable t, checks;
  const cost::ArchTemplate arch = cost::load_arch(kFpgaArch);
  t.name = "fpga";
  t.title = "EfficientViT-B1 against DeiT on the ZCU102 template (W8A8)";
  t.table = Table({{"model", "model"},
                   {"gmacs", "GMACs"},
                   {"fps", "frames/s"},
                   {"gops", "GOPS"},
                   {"utilisation_pct", "PE utilisation (%)"},
                   {"dsp", "DSPs"},
                   {"gops_per_dsp", "GOPS/DSP"},
                   {"bram36", "RAMB36"},
                   {"energy_mJ", "energy per frame (mJ, device)"}});
  std::optional<cost::CostReport> b1;
  double deit_tiny_fps = 0, deit_tiny_gops_per_dsp = 0;
  for (const char* name : {"efficientvit-b1", "deit-tiny", "deit-small"}) {
    const model::Workload w(model::load_model_card(name));
    const auto c = cost::CostModel(w, arch).evaluate(model::default_design(w));
    t.table.add({std::string(name), c.macs / 1e9, c.fps, c.gops, 100.0 * c.utilisation, c.fpga->used.dsp,
                 c.fpga->gops_per_dsp, c.fpga->used.bram36, c.energy.chip_uJ() / 1e3});
    if (!b1) b1 = c;
    if (std::string(name) == "deit-tiny") {
      deit_tiny_fps = c.fps;
      deit_tiny_gops_per_dsp = c.fpga->gops_per_dsp;
    }
  }
  // What holds EfficientViT-B1 below peak: the nonlinear lanes, measured by fusing them away.
  cost::ArchTemplate fused = arch;
  fused.nonlinear_lanes = 1 << 16;
  const model::Workload b1_workload(model::load_model_card("efficientvit-b1"));
  const auto b1_fused = cost::CostModel(b1_workload, fused).evaluate(model::default_design(b1_workload));
  cost::ArchTemplate unbounded = fused;  // and DRAM that never stalls: what is left is tiling
  unbounded.dram_GBps = 1e9;
  const auto b1_compute = cost::CostModel(b1_workload, unbounded).evaluate(model::default_design(b1_workload));
  t.method = fmt::format(
      "The template `efficientvit-zcu102` describes Trio-ViT's predecessor, Shao et al.'s EfficientViT "
      "accelerator (ISCAS 2024): 2048 8-bit multipliers, (8×8 + 8×8)×16, two to a DSP48E2 as Trio-ViT packs them, "
      "at 200 MHz on a ZCU102 (XCZU9EG: 2520 DSPs, 912 RAMB36), with a depthwise mode that runs channels side by "
      "side (`grouped: parallel`). The papers' resource tables were not available, so the array's split "
      "(16 rows × 8-way reduction × 16 columns), the 3 MiB of buffers and the DRAM bandwidth are assumptions the "
      "template states. The device's energy is its measured power, 780.2 GOPS / 105.1 GOPS/W = {:.2f} W, over "
      "the frame time: on an FPGA vitdse predicts throughput and resources, not power. EfficientViT-B1 runs at "
      "{:.0f} frames/s, {:.1f}× DeiT-T's, with {:.2f} GOPS per DSP against DeiT-T's {:.2f}. Trio-ViT's own table "
      "(FPS and DSP efficiency against Auto-ViT-Acc, ViA and others) was not available to compare with.",
      arch.fpga.power_W, b1->fps, b1->fps / deit_tiny_fps, b1->fpga->gops_per_dsp, deit_tiny_gops_per_dsp);
  checks.name = "fpga-checks";
  checks.title = "The ZCU102 template against its published figures";
  checks.comparisons = {
      context("peak throughput", "GOPS", std::nullopt, b1->peak_gops,
              "2048 multipliers × 2 ops × 200 MHz; the paper gives an achieved figure, not a peak"),
      prediction("throughput on EfficientViT-B1", "GOPS", kPredecessorGops, b1->gops, 0.10,
                 "achieved against achieved; the paper's is its best case ('up to'), see the paragraph"),
      derived("energy efficiency on EfficientViT-B1", "GOPS/W", kPredecessorGopsPerW, b1->gops / arch.fpga.power_W,
              "the template's power is the paper's measured power, so this is the throughput row again"),
  };
  checks.table = comparison_table(checks.comparisons);
  checks.method = fmt::format(
      "The peak of the template's 2048 multipliers, {:.1f} GOPS, is {:.1f}% above the predecessor's best achieved "
      "throughput, 780.2 GOPS; a peak is not an achieved figure, so only the whole-model throughput is scored. On "
      "EfficientViT-B1 as a whole the cost model gives {:.0f} GOPS ({:.0f}% of peak). Measured by removing each "
      "limit in turn: with the nonlinear units fused into the array's output (unbounded lanes) it is {:.0f} GOPS, "
      "so {:.0f} points of utilisation go to the template's 16 nonlinear lanes, which run after each layer (the "
      "linear attention's divisions and the head's LayerNorm); with DRAM that never stalls as well, {:.0f} GOPS "
      "({:.0f} points to DRAM); the remaining {:.0f} points are tiling, GEMM dimensions that are not multiples of "
      "the 16×8×16 array, among them the 3×3 depthwise reduction of 9 on the 8-wide k dimension (two passes, 56% "
      "busy). The predecessor fuses layers and nonlinear functions in its pipeline and reports its best case, so "
      "its 780.2 GOPS bounds vitdse's whole-model figure from above.",
      b1->peak_gops, 100.0 * (b1->peak_gops / kPredecessorGops - 1.0), b1->gops, 100.0 * b1->utilisation, b1_fused.gops,
      100.0 * (b1_fused.utilisation - b1->utilisation), b1_compute.gops,
      100.0 * (b1_compute.utilisation - b1_fused.utilisation), 100.0 * (1.0 - b1_compute.utilisation));
  return {checks, t};
}

}  // namespace

PaperReport reproduce_trio(const ReproduceOptions& options) {
  PaperReport r;
  r.paper = "trio-vit";
  r.title = "Trio-ViT: post-training quantisation and acceleration of softmax-free efficient ViTs";
  r.citation =
      "H. Shi, H. Shao, W. Mao and Z. Wang, *Trio-ViT: Post-Training Quantization and Acceleration for "
      "Softmax-Free Efficient Vision Transformer*, arXiv 2405.03882 (2024).";
  r.summary =
      "The PTQ ladder (per-tensor, per-channel, each of migration, shifting, the log2 divider and MSE weights alone, "
      "then the full recipe) at W8A8, W6A6, W4A8 and W4A4 on the real family, vitdse's `efficientvit-fmnist` on "
      "Fashion-MNIST in place of EfficientViT on ImageNet, and next to it on a linear-attention ViT stand-in "
      "(`vit-fmnist-linear`). Analytical: EfficientViT-B1 and DeiT workloads and their cost on one ASIC template, and "
      "their "
      "FPS, DSP efficiency and block RAM on an FPGA template of Trio-ViT's predecessor (ZCU102, 200 MHz).";
  r.tables = workload_tables();
  for (auto& table : fpga_tables()) r.tables.push_back(std::move(table));
  ReproducedPlot plot;
  r.tables.insert(r.tables.begin(), {efficientvit_ptq_table(options, plot), ptq_table(options)});
  r.plots.push_back(std::move(plot));
  return r;
}

}  // namespace vitdse::report

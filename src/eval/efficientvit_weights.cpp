// EfficientViT weights: the timm state-dict layout, sized from the card, loaded with shape checks.
#include "vitdse/eval/efficientvit_weights.hpp"

#include <cmath>
#include <random>
#include <string>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "weight_file.hpp"

namespace vitdse::eval {

namespace {

using model::Stage;

struct Slot {
  std::string name;
  std::vector<std::int64_t> shape;
  float* data = nullptr;
  bool buffer = false;  ///< a batch norm's running statistic, not a parameter
};

struct ConvSpec {
  std::string name;
  int in, out, kernel, stride = 1, groups = 1;
  bool bias = false, norm = true, hswish = false;
};

ConvLayer sized(const ConvSpec& s) {
  ConvLayer c;
  c.name = s.name;
  c.in = s.in;
  c.out = s.out;
  c.kernel = s.kernel;
  c.stride = s.stride;
  c.groups = s.groups;
  c.weight.setZero(s.out, s.in / s.groups * s.kernel * s.kernel);
  if (s.bias) c.bias = FloatRow::Zero(s.out);
  if (s.norm) {
    c.norm = BatchNorm{FloatRow::Ones(s.out), FloatRow::Zero(s.out), FloatRow::Zero(s.out), FloatRow::Ones(s.out)};
  }
  c.hswish = s.hswish;
  return c;
}

/// An MBConv from `in` to `out` channels at `prefix` (timm's `...main`); attention stages'
/// MBConvs have biases in place of the first two norms (timm's fewer_norm).
MbConvWeights sized_mbconv(const std::string& prefix, int in, int out, double expand, int stride, bool fewer_norm,
                           bool residual) {
  const int mid = model::mbconv_hidden(in, expand);
  MbConvWeights m;
  m.inverted = sized({.name = prefix + ".inverted_conv",
                      .in = in,
                      .out = mid,
                      .kernel = 1,
                      .bias = fewer_norm,
                      .norm = !fewer_norm,
                      .hswish = true});
  m.depthwise = sized({.name = prefix + ".depth_conv",
                       .in = mid,
                       .out = mid,
                       .kernel = 3,
                       .stride = stride,
                       .groups = mid,
                       .bias = fewer_norm,
                       .norm = !fewer_norm,
                       .hswish = true});
  m.pointwise = sized({.name = prefix + ".point_conv", .in = mid, .out = out, .kernel = 1});
  m.residual = residual;
  return m;
}

/// LiteMLA at `prefix` (timm's `...context_module.main`).
LiteMlaWeights sized_attention(const std::string& prefix, int width, const model::EfficientVitShape& s) {
  LiteMlaWeights a;
  a.head_dim = s.head_dim;
  a.heads = width / s.head_dim;
  const int total = 3 * a.heads * a.head_dim;
  a.qkv = sized({.name = prefix + ".qkv", .in = width, .out = total, .kernel = 1, .norm = false});
  for (std::size_t i = 0; i < s.scales.size(); ++i) {
    const std::string agg = prefix + ".aggreg." + std::to_string(i);
    a.aggreg_depthwise.push_back(
        sized({.name = agg + ".0", .in = total, .out = total, .kernel = s.scales[i], .groups = total, .norm = false}));
    a.aggreg_pointwise.push_back(
        sized({.name = agg + ".1", .in = total, .out = total, .kernel = 1, .groups = 3 * a.heads, .norm = false}));
  }
  const int branches = static_cast<int>(s.scales.size()) + 1;
  a.proj = sized({.name = prefix + ".proj", .in = a.heads * a.head_dim * branches, .out = width, .kernel = 1});
  return a;
}

void size_for(EfficientVitWeights& w, const model::ModelCard& card) {
  const model::EfficientVitShape& s = *card.efficientvit;
  const int stem = s.stem_width;
  w.stem = sized({.name = "stem.in_conv", .in = card.in_chans, .out = stem, .kernel = 3, .stride = 2, .hswish = true});
  w.stem_depthwise.clear();
  w.stem_pointwise.clear();
  for (int j = 0; j < s.stem_depth; ++j) {
    const std::string prefix = "stem.res" + std::to_string(j) + ".main";
    w.stem_depthwise.push_back(
        sized({.name = prefix + ".depth_conv", .in = stem, .out = stem, .kernel = 3, .groups = stem, .hswish = true}));
    w.stem_pointwise.push_back(sized({.name = prefix + ".point_conv", .in = stem, .out = stem, .kernel = 1}));
  }
  w.stages.clear();
  int in = stem;
  for (std::size_t i = 0; i < s.stages.size(); ++i) {
    const Stage& stage = s.stages[i];
    auto& blocks = w.stages.emplace_back();
    const bool vit = stage.block == Stage::Block::attention;
    const std::string prefix = "stages." + std::to_string(i) + ".blocks.";
    blocks.push_back(
        {std::nullopt, sized_mbconv(prefix + "0.main", in, stage.width, stage.expand_ratio, 2, vit, false)});
    in = stage.width;
    // MBConv stages have `depth` blocks in all; attention stages `depth` EfficientViT blocks after the first.
    for (int j = 1; j < stage.depth + (vit ? 1 : 0); ++j) {
      const std::string block = prefix + std::to_string(j);
      if (vit) {
        blocks.push_back({sized_attention(block + ".context_module.main", in, s),
                          sized_mbconv(block + ".local_module.main", in, in, stage.expand_ratio, 1, true, true)});
      } else {
        blocks.push_back({std::nullopt, sized_mbconv(block + ".main", in, in, stage.expand_ratio, 1, false, true)});
      }
    }
  }
  w.head_conv = sized({.name = "head.in_conv", .in = in, .out = s.head_widths[0], .kernel = 1, .hswish = true});
  w.head_fc1 = {FloatMatrix::Zero(s.head_widths[1], s.head_widths[0]), FloatRow::Zero(s.head_widths[1])};
  w.head_norm = {FloatRow::Ones(s.head_widths[1]), FloatRow::Zero(s.head_widths[1])};
  w.head_fc2 = {FloatMatrix::Zero(card.num_classes, s.head_widths[1]), FloatRow::Zero(card.num_classes)};
}

/// The state-dict entries of a conv: `<prefix>.weight` for a bare nn.Conv2d, else ConvNormAct's
/// `<prefix>.conv.{weight,bias}` and `<prefix>.norm.*`.
void add_conv(std::vector<Slot>& slots, ConvLayer& c, bool bare = false) {
  const std::string& prefix = c.name;
  const std::string conv = bare ? prefix : prefix + ".conv";
  slots.push_back({conv + ".weight", {c.out, c.in / c.groups, c.kernel, c.kernel}, c.weight.data()});
  if (c.bias) slots.push_back({conv + ".bias", {c.out}, c.bias->data()});
  if (c.norm) {
    slots.push_back({prefix + ".norm.weight", {c.out}, c.norm->gamma.data()});
    slots.push_back({prefix + ".norm.bias", {c.out}, c.norm->beta.data()});
    slots.push_back({prefix + ".norm.running_mean", {c.out}, c.norm->mean.data(), true});
    slots.push_back({prefix + ".norm.running_var", {c.out}, c.norm->var.data(), true});
  }
}

void add_mbconv(std::vector<Slot>& slots, MbConvWeights& m) {
  add_conv(slots, m.inverted);
  add_conv(slots, m.depthwise);
  add_conv(slots, m.pointwise);
}

std::vector<Slot> list_slots(EfficientVitWeights& w) {
  std::vector<Slot> slots;
  add_conv(slots, w.stem);
  for (std::size_t j = 0; j < w.stem_depthwise.size(); ++j) {
    add_conv(slots, w.stem_depthwise[j]);
    add_conv(slots, w.stem_pointwise[j]);
  }
  for (auto& stage : w.stages) {
    for (auto& block : stage) {
      if (block.attention) {
        LiteMlaWeights& a = *block.attention;
        add_conv(slots, a.qkv);
        for (std::size_t k = 0; k < a.aggreg_depthwise.size(); ++k) {
          add_conv(slots, a.aggreg_depthwise[k], true);
          add_conv(slots, a.aggreg_pointwise[k], true);
        }
        add_conv(slots, a.proj);
      }
      add_mbconv(slots, block.mbconv);
    }
  }
  add_conv(slots, w.head_conv);
  slots.push_back(
      {"head.classifier.0.weight", {w.head_fc1.weight.rows(), w.head_fc1.weight.cols()}, w.head_fc1.weight.data()});
  slots.push_back({"head.classifier.1.weight", {w.head_norm.gamma.size()}, w.head_norm.gamma.data()});
  slots.push_back({"head.classifier.1.bias", {w.head_norm.beta.size()}, w.head_norm.beta.data()});
  slots.push_back(
      {"head.classifier.4.weight", {w.head_fc2.weight.rows(), w.head_fc2.weight.cols()}, w.head_fc2.weight.data()});
  slots.push_back({"head.classifier.4.bias", {w.head_fc2.bias.size()}, w.head_fc2.bias.data()});
  return slots;
}

std::int64_t count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (const auto d : shape) n *= d;
  return n;
}

void check_family(const model::ModelCard& card) {
  if (card.family != model::Family::efficientvit || !card.efficientvit) {
    throw Error("model '" + card.name + "' is of family '" + model::to_string(card.family) +
                "'; EfficientViT weights need a 'family: efficientvit' card");
  }
}

}  // namespace

std::int64_t EfficientVitWeights::parameter_count() const {
  EfficientVitWeights copy = *this;  // the slots view a model they may write; this one is ours
  std::int64_t n = 0;
  for (const auto& slot : list_slots(copy)) n += slot.buffer ? 0 : count(slot.shape);
  return n;
}

EfficientVitWeights efficientvit_weights_for(const model::ModelCard& card) {
  check_family(card);
  EfficientVitWeights w;
  size_for(w, card);
  return w;
}

EfficientVitWeights random_efficientvit_weights(const model::ModelCard& card, std::uint64_t seed) {
  EfficientVitWeights w = efficientvit_weights_for(card);
  std::mt19937_64 rng(seed);
  float bound = 0.0f;  // of the last weight matrix, whose bias follows it in the slot list
  for (const auto& slot : list_slots(w)) {
    if (slot.shape.size() >= 2) {
      bound = 1.0f / std::sqrt(static_cast<float>(count(slot.shape) / slot.shape[0]));
    } else if (!slot.name.ends_with(".bias") || slot.name.ends_with(".norm.bias") ||
               slot.name == "head.classifier.1.bias") {
      continue;  // norms stay the identity
    }
    std::uniform_real_distribution<float> uniform(-bound, bound);
    for (std::int64_t i = 0; i < count(slot.shape); ++i) slot.data[i] = uniform(rng);
  }
  return w;
}

void save_efficientvit_weights(const model::ModelCard& card, const EfficientVitWeights& weights,
                               const std::filesystem::path& path, const std::map<std::string, std::string>& metadata) {
  EfficientVitWeights copy = weights;  // the views may write; this model is ours
  save_weight_tensors(weight_tensors(copy, card), path, metadata);
}

EfficientVitWeights load_efficientvit_weights(const model::ModelCard& card, const std::filesystem::path& path) {
  EfficientVitWeights w = efficientvit_weights_for(card);
  std::vector<detail::TensorSlot> targets;
  for (const auto& slot : list_slots(w)) targets.push_back({slot.name, slot.shape, slot.data});
  detail::read_weight_file(path, card.name, targets,
                           [](const std::string& name) { return name.ends_with(".num_batches_tracked"); });
  return w;
}

std::vector<WeightTensor> weight_tensors(EfficientVitWeights& weights, const model::ModelCard& card) {
  check_family(card);
  std::vector<WeightTensor> out;
  for (auto& slot : list_slots(weights)) {
    const std::span<float> values(slot.data, static_cast<std::size_t>(count(slot.shape)));
    out.push_back({std::move(slot.name), std::move(slot.shape), values});
  }
  return out;
}

}  // namespace vitdse::eval

// Model-card loading and validation.
#include "vitdse/model/card.hpp"

#include <cmath>

#include "vitdse/core/error.hpp"
#include "vitdse/core/resources.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/core/yaml.hpp"

namespace vitdse::model {

namespace {

constexpr int kMaxDim = 1 << 16;
constexpr int kMaxPatchesPerSide = 4096;

std::vector<double> parse_channel_stats(YamlMap& map, const std::string& key, int channels, double fallback) {
  if (!map.has(key)) {
    map.allow(key);
    return std::vector<double>(static_cast<std::size_t>(channels), fallback);
  }
  const auto node = map.node(key);
  if (!node.IsSequence() || node.size() != static_cast<std::size_t>(channels)) {
    throw map.error_at(
        key, "'" + key + "' must be a list of " + std::to_string(channels) + " numbers, one per input channel");
  }
  auto values = map.get<std::vector<double>>(key);
  for (double v : values) {
    if (!std::isfinite(v) || (key == "std" && v <= 0)) {
      throw map.error_at(key, "'" + key + "' entries must be finite" + (key == "std" ? " and positive" : ""));
    }
  }
  return values;
}

EfficientVitShape parse_efficientvit(YamlMap& card) {
  EfficientVitShape shape;
  YamlMap stem = card.child("stem", "efficientvit stem");
  shape.stem_width = static_cast<int>(stem.get_int("width", 1, kMaxDim));
  shape.stem_depth = static_cast<int>(stem.get_int_or("depth", 1, 0, 64));
  stem.finish();

  const auto stages = card.node("stages");
  if (!stages.IsSequence() || stages.size() == 0) {
    throw card.error_at("stages", "'stages' must be a non-empty list of {width, depth, block, expand_ratio}");
  }
  for (const auto& node : stages) {
    YamlMap s(node, card.source(), "efficientvit stage");
    Stage stage;
    stage.width = static_cast<int>(s.get_int("width", 1, kMaxDim));
    stage.depth = static_cast<int>(s.get_int("depth", 1, 64));
    stage.block = s.get_choice_or("block", {{"mbconv", Stage::Block::mbconv}, {"attention", Stage::Block::attention}},
                                  Stage::Block::mbconv);
    stage.expand_ratio = s.get_double_or("expand_ratio", 4.0, 0.25, 16.0);
    s.finish();
    shape.stages.push_back(stage);
  }
  shape.head_dim = static_cast<int>(card.get_int_or("head_dim", 16, 1, kMaxDim));
  if (card.has("scales")) shape.scales = card.get<std::vector<int>>("scales");
  card.allow("scales");
  for (int k : shape.scales) {
    if (k < 1 || k % 2 == 0) throw card.error_at("scales", "'scales' entries must be odd kernel sizes >= 1");
  }
  shape.head_widths = card.get<std::vector<int>>("head_widths");
  if (shape.head_widths.size() != 2 || shape.head_widths[0] < 1 || shape.head_widths[1] < 1) {
    throw card.error_at("head_widths", "'head_widths' must be two positive widths [conv, linear]");
  }
  for (const auto& stage : shape.stages) {
    if (stage.block == Stage::Block::attention && stage.width % shape.head_dim != 0) {
      throw card.error_at("stages", "attention stage width " + std::to_string(stage.width) +
                                        " is not a multiple of head_dim " + std::to_string(shape.head_dim));
    }
  }
  return shape;
}

ModelCard parse_card(const YamlDocument& doc, const std::filesystem::path& path) {
  YamlMap card(doc.root, doc.source, "model card");
  const auto version = card.get_int("version", 1, 1);
  (void)version;
  ModelCard m;
  m.source = path;
  m.name = card.get<std::string>("name");
  m.family = card.get_choice_or("family", {{"vit", Family::vit}, {"efficientvit", Family::efficientvit}}, Family::vit);
  m.img_size = static_cast<int>(card.get_int("img_size", 1, kMaxDim));
  m.in_chans = static_cast<int>(card.get_int("in_chans", 1, 64));
  m.num_classes = static_cast<int>(card.get_int("num_classes", 1, 1 << 20));
  // timm's defaults: LayerNorm 1e-6 in VisionTransformer, BatchNorm2d and LayerNorm 1e-5 in EfficientViT.
  m.norm_eps = card.get_double_or("norm_eps", m.family == Family::vit ? 1e-6 : 1e-5, 1e-12, 1.0);
  m.mean = parse_channel_stats(card, "mean", m.in_chans, 0.0);
  m.std = parse_channel_stats(card, "std", m.in_chans, 1.0);
  m.crop_pct = card.get_double_or("crop_pct", 0.875, 0.05, 1.0);
  m.interpolation =
      card.get_choice_or("interpolation", {{"bicubic", Interpolation::bicubic}, {"bilinear", Interpolation::bilinear}},
                         Interpolation::bicubic);
  m.jpeg_dct_margin = static_cast<int>(card.get_int_or("jpeg_dct_margin", 0, 0, 64));
  m.act = card.get_choice_or("act",
                             {{"gelu", Activation::gelu}, {"relu", Activation::relu}, {"hswish", Activation::hswish}},
                             m.family == Family::vit ? Activation::gelu : Activation::hswish);
  m.attention =
      card.get_choice_or("attention", {{"softmax", Attention::softmax}, {"linear-relu", Attention::linear_relu}},
                         m.family == Family::vit ? Attention::softmax : Attention::linear_relu);
  if (m.family == Family::vit) {
    m.patch_size = static_cast<int>(card.get_int("patch_size", 1, kMaxDim));
    m.embed_dim = static_cast<int>(card.get_int("embed_dim", 1, kMaxDim));
    m.depth = static_cast<int>(card.get_int("depth", 1, 1024));
    m.num_heads = static_cast<int>(card.get_int("num_heads", 1, 1024));
    m.mlp_ratio = card.get_double_or("mlp_ratio", 4.0, 0.0625, 64.0);
    m.qkv_bias = card.get_or<bool>("qkv_bias", true);
    if (m.img_size % m.patch_size != 0) {
      throw card.error_at("patch_size", "img_size " + std::to_string(m.img_size) + " is not divisible by patch_size " +
                                            std::to_string(m.patch_size));
    }
    // Beyond this the token count, an int, overflows; real ViTs use at most a few dozen per side.
    if (m.img_size / m.patch_size > kMaxPatchesPerSide) {
      throw card.error_at("patch_size", "img_size " + std::to_string(m.img_size) + " / patch_size " +
                                            std::to_string(m.patch_size) + " gives " +
                                            std::to_string(m.img_size / m.patch_size) + " patches per side; at most " +
                                            std::to_string(kMaxPatchesPerSide));
    }
    if (m.embed_dim % m.num_heads != 0) {
      throw card.error_at("num_heads", "embed_dim " + std::to_string(m.embed_dim) + " is not divisible by num_heads " +
                                           std::to_string(m.num_heads));
    }
    if (m.act == Activation::hswish) throw card.error_at("act", "'act' for a vit must be gelu or relu");
  } else {
    m.efficientvit = parse_efficientvit(card);
    if (m.attention != Attention::linear_relu) {
      throw card.error_at("attention", "efficientvit models use 'linear-relu' attention");
    }
  }
  if (card.has("weights")) {
    m.weights = path.parent_path() / card.get<std::string>("weights");
  }
  card.allow("weights");
  if (card.has("dataset")) {
    YamlMap ds = card.child("dataset", "dataset");
    m.dataset_kind = ds.get<std::string>("kind");
    // Like weights, a relative path is taken from the card's folder.
    m.dataset_path = path.parent_path() / ds.get<std::string>("path");
    ds.finish();
  }
  card.allow("dataset");
  card.allow("notes");     // free text: provenance
  card.allow("training");  // how the weights were made: command, seed, wall time, accuracy
  card.finish();
  return m;
}

}  // namespace

int mbconv_hidden(int in, double expand) { return static_cast<int>(std::nearbyint(static_cast<double>(in) * expand)); }

int ModelCard::tokens() const {
  const int side = img_size / patch_size;
  return side * side + 1;
}

int ModelCard::mlp_hidden() const { return static_cast<int>(std::lround(embed_dim * mlp_ratio)); }

int ModelCard::block_count() const {
  if (family == Family::vit) return depth;
  // An attention stage opens with a downsampling MBConv block of its own.
  int blocks = 0;
  for (const auto& s : efficientvit->stages) blocks += s.depth + (s.block == Stage::Block::attention ? 1 : 0);
  return blocks;
}

std::string card_text_with_training(const std::string& text, const std::string& weights,
                                    const std::vector<std::pair<std::string, std::string>>& training) {
  std::string out;
  bool in_training = false;
  for (const auto& line : split(text, '\n')) {
    const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '-' || line[0] == '\t');
    if (in_training && (indented || line.empty())) continue;
    in_training = line.rfind("training:", 0) == 0;
    if (in_training || line.rfind("weights:", 0) == 0) continue;
    out += line + "\n";
  }
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  out += "weights: " + weights + "\ntraining:\n";
  for (const auto& [key, value] : training) out += "  " + key + ": " + value + "\n";
  return out;
}

ModelCard load_model_card(const std::string& name_or_path) {
  if (std::filesystem::path(name_or_path).extension() == ".onnx")
    throw usage_error(name_or_path +
                      ": an ONNX model, which 'vitdse workload' and 'vitdse cost' read directly; to run it, make a "
                      "card of it with 'vitdse import " +
                      name_or_path + " --out DIR'");
  const auto path = resolve_resource(name_or_path, "models", "model");
  return parse_card(load_yaml_file(path), path);
}

ModelCard parse_model_card(const std::string& yaml_text, const std::string& source) {
  return parse_card(parse_yaml(yaml_text, source), source);
}

std::string to_string(Family f) { return f == Family::vit ? "vit" : "efficientvit"; }
std::string to_string(Activation a) {
  switch (a) {
    case Activation::gelu:
      return "gelu";
    case Activation::relu:
      return "relu";
    case Activation::hswish:
      return "hswish";
  }
  return "?";
}
std::string to_string(Attention a) { return a == Attention::softmax ? "softmax" : "linear-relu"; }

}  // namespace vitdse::model

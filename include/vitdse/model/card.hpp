// Model cards: the YAML description of a ViT (models/<name>.yaml), validated on load.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace vitdse::model {

enum class Family { vit, efficientvit };
enum class Activation { gelu, relu, hswish };
enum class Attention { softmax, linear_relu };
/// How image files are resized for the model (timm's `interpolation`).
enum class Interpolation { bilinear, bicubic };

/// One stage of an EfficientViT backbone: `depth` blocks of `block` type at `width` channels.
/// The first block of every stage but the stem downsamples by 2 with an MBConv.
struct Stage {
  enum class Block { mbconv, attention };
  int width = 0;
  int depth = 0;
  Block block = Block::mbconv;
  double expand_ratio = 4.0;
};

/// Channels inside an MBConv of `in` input channels: round(in · expand), halves to even, as
/// Python's round() in timm.
int mbconv_hidden(int in, double expand);

/// EfficientViT-specific shape (family: efficientvit). See docs/formats.md.
struct EfficientVitShape {
  int stem_width = 16;  ///< stride-2 3x3 conv, then stem_depth residual DSConvs
  int stem_depth = 1;
  std::vector<Stage> stages;     ///< each begins with a stride-2 MBConv
  int head_dim = 16;             ///< attention head dimension
  std::vector<int> scales{5};    ///< multi-scale aggregation kernels
  std::vector<int> head_widths;  ///< 1x1 conv to head_widths[0], pool, linear to head_widths[1]
};

/// The model card (DESIGN.md "Model card"). Paths inside are resolved against the card.
struct ModelCard {
  std::string name;
  std::filesystem::path source;  ///< the card's own file, for messages
  Family family = Family::vit;
  int img_size = 224;
  int patch_size = 16;
  int in_chans = 3;
  int num_classes = 1000;
  int embed_dim = 0;
  int depth = 0;
  int num_heads = 0;
  double mlp_ratio = 4.0;
  bool qkv_bias = true;
  Activation act = Activation::gelu;
  Attention attention = Attention::softmax;
  double norm_eps = 1e-6;
  std::vector<double> mean, std;
  /// timm's evaluation transform for image files: the shorter side resized to
  /// floor(img_size / crop_pct) with `interpolation`, then the centre img_size crop.
  double crop_pct = 0.875;
  Interpolation interpolation = Interpolation::bicubic;
  /// JPEGs decoded by libjpeg's DCT scaling down to this many times the resize's shorter side
  /// before it: faster, but no longer PIL's bytes (docs/formats.md). 0, the default: off.
  int jpeg_dct_margin = 0;
  std::optional<std::filesystem::path> weights;  ///< absolute, if the card names one
  std::optional<std::string> dataset_kind;
  std::optional<std::filesystem::path> dataset_path;  ///< relative paths are taken from the card's folder
  std::optional<EfficientVitShape> efficientvit;

  /// Patch tokens plus the class token (vit family): (img/patch)^2 + 1.
  [[nodiscard]] int tokens() const;
  [[nodiscard]] int mlp_hidden() const;
  [[nodiscard]] int head_dim() const { return embed_dim / num_heads; }
  /// Number of transformer (or EfficientViT) blocks that design files may index.
  [[nodiscard]] int block_count() const;
};

/// Loads and validates a card by zoo name ("deit-small") or path.
ModelCard load_model_card(const std::string& name_or_path);
/// Validates a card given as YAML text (tests); `source` names it in messages.
ModelCard parse_model_card(const std::string& yaml_text, const std::string& source);

/// The card text `text` naming `weights` (a path relative to the card) and recording a run under
/// `training:` (key, YAML value) pairs. Earlier `weights:` and `training:` entries are replaced;
/// every other line, comments included, is kept.
std::string card_text_with_training(const std::string& text, const std::string& weights,
                                    const std::vector<std::pair<std::string, std::string>>& training);

std::string to_string(Family f);
std::string to_string(Activation a);
std::string to_string(Attention a);

}  // namespace vitdse::model

// The per-layer workload of an EfficientViT (Cai et al., ICCV 2023) classification model:
// a conv stem, MBConv stages, then stages of lightweight multi-scale ReLU linear attention.
// Layers take the names of timm's modules (timm.models.efficientvit_mit).
#include <string>

#include "vitdse/model/workload.hpp"

namespace vitdse::model {

namespace {

/// Output side of a conv with timm's padding, ((stride - 1) + (k - 1)) / 2: ceil(side / stride).
std::int64_t out_side(std::int64_t side, std::int64_t stride) { return (side + stride - 1) / stride; }

/// A (grouped) 2-D convolution on an hw x hw input map as `groups` GEMMs. `norm`: a batch norm
/// follows, which folds into the conv at inference but whose affine pair is still a parameter.
Layer conv(std::string name, int block, std::int64_t hw_in, std::int64_t stride, std::int64_t cin, std::int64_t cout,
           std::int64_t kernel, std::int64_t groups, bool bias, bool norm) {
  const std::int64_t hw = out_side(hw_in, stride);
  const std::int64_t params = cout * (cin / groups) * kernel * kernel + (bias ? cout : 0) + (norm ? 2 * cout : 0);
  return make_layer(std::move(name), OpKind::conv, block, groups, hw * hw, cin / groups * kernel * kernel,
                    cout / groups, params);
}

Layer matmul(std::string name, int block, std::int64_t groups, std::int64_t m, std::int64_t k, std::int64_t n) {
  return make_layer(std::move(name), OpKind::matmul, block, groups, m, k, n, 0);
}

/// MBConv at `prefix` (timm's `...main`): 1x1 expand, 3x3 depthwise (strided), 1x1 project.
/// `fewer_norm` (attention stages): biases in place of the first two norms.
void mbconv(std::vector<Layer>& out, const std::string& prefix, int block, std::int64_t& hw, std::int64_t cin,
            std::int64_t cout, double expand, std::int64_t stride, bool fewer_norm) {
  const std::int64_t mid = mbconv_hidden(static_cast<int>(cin), expand);
  out.push_back(conv(prefix + ".inverted_conv", block, hw, 1, cin, mid, 1, 1, fewer_norm, !fewer_norm));
  out.push_back(conv(prefix + ".depth_conv", block, hw, stride, mid, mid, 3, mid, fewer_norm, !fewer_norm));
  hw = out_side(hw, stride);
  out.push_back(conv(prefix + ".point_conv", block, hw, 1, mid, cout, 1, 1, false, true));
}

}  // namespace

std::vector<Layer> build_efficientvit_layers(const ModelCard& c) {
  const EfficientVitShape& s = *c.efficientvit;
  std::vector<Layer> layers;
  std::int64_t hw = c.img_size;

  layers.push_back(conv("stem.in_conv", -1, hw, 2, c.in_chans, s.stem_width, 3, 1, false, true));
  hw = out_side(hw, 2);
  for (int j = 0; j < s.stem_depth; ++j) {  // residual depthwise-separable convs
    const std::string pre = "stem.res" + std::to_string(j) + ".main";
    layers.push_back(conv(pre + ".depth_conv", -1, hw, 1, s.stem_width, s.stem_width, 3, s.stem_width, false, true));
    layers.push_back(conv(pre + ".point_conv", -1, hw, 1, s.stem_width, s.stem_width, 1, 1, false, true));
  }

  // Design files number blocks across stages; names keep timm's stage and block.
  int block = 0;
  std::int64_t cin = s.stem_width;
  for (std::size_t i = 0; i < s.stages.size(); ++i) {
    const Stage& stage = s.stages[i];
    const std::int64_t w = stage.width;
    const std::string stage_name = "stages." + std::to_string(i) + ".blocks.";
    const bool vit = stage.block == Stage::Block::attention;
    // Every stage opens with a strided MBConv; attention stages then have `depth` EfficientViT blocks.
    mbconv(layers, stage_name + "0.main", block++, hw, cin, w, stage.expand_ratio, 2, vit);
    cin = w;
    if (!vit) {
      for (int j = 1; j < stage.depth; ++j) {
        mbconv(layers, stage_name + std::to_string(j) + ".main", block++, hw, w, w, stage.expand_ratio, 1, false);
      }
      continue;
    }
    const std::int64_t heads = w / s.head_dim, dh = s.head_dim, tokens = hw * hw;
    const auto branches = static_cast<std::int64_t>(s.scales.size()) + 1;
    for (int j = 1; j <= stage.depth; ++j, ++block) {
      const std::string pre = stage_name + std::to_string(j) + ".context_module.main";
      layers.push_back(conv(pre + ".qkv", block, hw, 1, w, 3 * w, 1, 1, false, false));
      for (std::size_t sc = 0; sc < s.scales.size(); ++sc) {
        const std::string agg = pre + ".aggreg." + std::to_string(sc);
        layers.push_back(conv(agg + ".0", block, hw, 1, 3 * w, 3 * w, s.scales[sc], 3 * w, false, false));
        layers.push_back(conv(agg + ".1", block, hw, 1, 3 * w, 3 * w, 1, 3 * heads, false, false));
      }
      // ReLU linear attention per head over the qkv and aggregated branches:
      // K^T [V 1] is dh x (dh+1), then Q (K^T [V 1]) and one division per output element.
      const std::int64_t h = heads * branches;
      layers.push_back(matmul(pre + ".kv", block, h, dh, tokens, dh + 1));
      Layer out = matmul(pre + ".qkv_out", block, h, tokens, dh, dh + 1);
      out.per_element.div = static_cast<double>(dh) / static_cast<double>(dh + 1);
      out.fields |= kDivide;  // Trio-ViT's log2 divider applies
      layers.push_back(out);
      layers.push_back(conv(pre + ".proj", block, hw, 1, w * branches, w, 1, 1, false, true));
      mbconv(layers, stage_name + std::to_string(j) + ".local_module.main", block, hw, w, w, stage.expand_ratio, 1,
             true);
    }
  }

  layers.push_back(conv("head.in_conv", -1, hw, 1, cin, s.head_widths[0], 1, 1, false, true));
  Layer fc1 = conv("head.classifier.0", -1, 1, 1, s.head_widths[0], s.head_widths[1], 1, 1, false, false);
  fc1.kind = OpKind::linear;
  layers.push_back(fc1);
  Layer norm = make_layer("head.classifier.1", OpKind::norm, -1, 1, 1, 0, s.head_widths[1], 2 * s.head_widths[1]);
  norm.per_row = {.exp = 0, .erf = 0, .div = 1, .sqrt = 1};
  layers.push_back(norm);
  Layer fc2 = conv("head.classifier.4", -1, 1, 1, s.head_widths[1], c.num_classes, 1, 1, true, false);
  fc2.kind = OpKind::linear;
  layers.push_back(fc2);
  return layers;
}

}  // namespace vitdse::model

// The per-layer workload of an EfficientViT (Cai et al., ICCV 2023) classification model:
// a conv stem, MBConv stages, then stages of lightweight multi-scale ReLU linear attention.
#include <string>

#include "vitdse/model/workload.hpp"

namespace vitdse::model {

namespace {

/// A (grouped) 2-D convolution on an hw x hw output map as `groups` GEMMs.
Layer conv(std::string name, int block, std::int64_t hw_in, std::int64_t stride, std::int64_t cin, std::int64_t cout,
           std::int64_t kernel, std::int64_t groups, bool bias) {
  const std::int64_t hw = hw_in / stride;
  // Batch norm folds into the conv at inference; its affine pair is still a parameter.
  const std::int64_t params = cout * (cin / groups) * kernel * kernel + (bias ? cout : 2 * cout);
  return make_layer(std::move(name), OpKind::conv, block, groups, hw * hw, cin / groups * kernel * kernel,
                    cout / groups, params);
}

Layer matmul(std::string name, int block, std::int64_t groups, std::int64_t m, std::int64_t k, std::int64_t n) {
  return make_layer(std::move(name), OpKind::matmul, block, groups, m, k, n, 0);
}

/// MBConv: 1x1 expand, kxk depthwise (strided), 1x1 project. `prefix` names the three convs.
void mbconv(std::vector<Layer>& out, const std::string& prefix, int block, std::int64_t& hw, std::int64_t cin,
            std::int64_t cout, double expand, std::int64_t stride, bool biased) {
  const auto mid = static_cast<std::int64_t>(static_cast<double>(cin) * expand + 0.5);
  out.push_back(conv(prefix + "inverted", block, hw, 1, cin, mid, 1, 1, biased));
  out.push_back(conv(prefix + "depthwise", block, hw, stride, mid, mid, 3, mid, biased));
  hw /= stride;
  out.push_back(conv(prefix + "pointwise", block, hw, 1, mid, cout, 1, 1, false));
}

}  // namespace

std::vector<Layer> build_efficientvit_layers(const ModelCard& c) {
  const EfficientVitShape& s = *c.efficientvit;
  std::vector<Layer> layers;
  std::int64_t hw = c.img_size;

  layers.push_back(conv("stem.conv", -1, hw, 2, c.in_chans, s.stem_width, 3, 1, false));
  hw /= 2;
  for (int j = 0; j < s.stem_depth; ++j) {  // residual depthwise-separable convs
    const std::string pre = "stem.dsconv" + std::to_string(j) + ".";
    layers.push_back(conv(pre + "depthwise", -1, hw, 1, s.stem_width, s.stem_width, 3, s.stem_width, false));
    layers.push_back(conv(pre + "pointwise", -1, hw, 1, s.stem_width, s.stem_width, 1, 1, false));
  }

  int block = 0;
  std::int64_t cin = s.stem_width;
  for (const Stage& stage : s.stages) {
    const std::int64_t w = stage.width;
    if (stage.block == Stage::Block::mbconv) {
      for (int i = 0; i < stage.depth; ++i, ++block) {
        mbconv(layers, "blocks." + std::to_string(block) + ".mbconv.", block, hw, cin, w, stage.expand_ratio,
               i == 0 ? 2 : 1, false);
        cin = w;
      }
      continue;
    }
    // Attention stages open with a downsampling MBConv (biases instead of the first two norms).
    mbconv(layers, "blocks." + std::to_string(block) + ".mbconv.", block, hw, cin, w, stage.expand_ratio, 2, true);
    ++block;
    cin = w;
    const std::int64_t heads = w / s.head_dim, dh = s.head_dim, tokens = hw * hw;
    const auto branches = static_cast<std::int64_t>(s.scales.size()) + 1;
    for (int i = 0; i < stage.depth; ++i, ++block) {
      const std::string pre = "blocks." + std::to_string(block) + ".";
      layers.push_back(conv(pre + "attn.qkv", block, hw, 1, w, 3 * w, 1, 1, true));
      layers.back().params -= 3 * w;  // LiteMLA's qkv conv has neither bias nor norm
      for (std::size_t sc = 0; sc < s.scales.size(); ++sc) {
        const std::string agg = pre + "attn.aggreg" + std::to_string(sc) + ".";
        layers.push_back(conv(agg + "depthwise", block, hw, 1, 3 * w, 3 * w, s.scales[sc], 3 * w, true));
        layers.back().params -= 3 * w;
        layers.push_back(conv(agg + "pointwise", block, hw, 1, 3 * w, 3 * w, 1, 3 * heads, true));
        layers.back().params -= 3 * w;
      }
      // ReLU linear attention per head over the qkv and aggregated branches:
      // K^T [V 1] is dh x (dh+1), then Q (K^T [V 1]) and one division per output element.
      const std::int64_t h = heads * branches;
      layers.push_back(matmul(pre + "attn.kv", block, h, dh, tokens, dh + 1));
      Layer out = matmul(pre + "attn.qkv_out", block, h, tokens, dh, dh + 1);
      out.per_element.div = static_cast<double>(dh) / static_cast<double>(dh + 1);
      layers.push_back(out);
      layers.push_back(conv(pre + "attn.proj", block, hw, 1, w * branches, w, 1, 1, false));
      mbconv(layers, pre + "mlp.", block, hw, w, w, stage.expand_ratio, 1, true);
    }
  }

  layers.push_back(conv("head.conv", -1, hw, 1, cin, s.head_widths[0], 1, 1, false));
  Layer fc1 = conv("head.fc1", -1, 1, 1, s.head_widths[0], s.head_widths[1], 1, 1, true);
  fc1.kind = OpKind::linear;
  layers.push_back(fc1);
  Layer norm = make_layer("head.norm", OpKind::norm, -1, 1, 1, 0, s.head_widths[1], 2 * s.head_widths[1]);
  norm.per_row = {.exp = 0, .erf = 0, .div = 1, .sqrt = 1};
  layers.push_back(norm);
  Layer fc2 = conv("head.fc2", -1, 1, 1, s.head_widths[1], c.num_classes, 1, 1, true);
  fc2.kind = OpKind::linear;
  layers.push_back(fc2);
  return layers;
}

}  // namespace vitdse::model

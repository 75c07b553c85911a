// The per-layer workload of a plain ViT/DeiT, in timm layer names.
#include <string>

#include "vitdse/model/workload.hpp"

namespace vitdse::model {

namespace {

Layer gemm(std::string name, OpKind kind, int block, std::int64_t m, std::int64_t k, std::int64_t n,
           std::int64_t params, std::uint8_t token_axes) {
  Layer l = make_layer(std::move(name), kind, block, 1, m, k, n, params);
  l.token_axes = token_axes;
  return l;
}

Layer elementwise(std::string name, OpKind kind, int block, std::int64_t groups, std::int64_t rows, std::int64_t cols,
                  std::int64_t params) {
  Layer l = make_layer(std::move(name), kind, block, groups, rows, 0, cols, params);
  l.token_axes = kTokM;
  return l;
}

}  // namespace

std::vector<Layer> build_vit_layers(const ModelCard& c) {
  const std::int64_t n = c.tokens(), d = c.embed_dim, h = c.num_heads, dh = c.head_dim();
  const std::int64_t hidden = c.mlp_hidden(), p = c.patch_size, ch = c.in_chans;
  const std::int64_t patches = n - 1;
  std::vector<Layer> layers;

  // Patch embedding is a stride-P conv, i.e. a GEMM over flattened patches. The class token
  // and position embedding are counted in its parameters.
  Layer embed = gemm("patch_embed", OpKind::conv, -1, patches, p * p * ch, d, p * p * ch * d + d + d + n * d, 0);
  layers.push_back(embed);

  for (int b = 0; b < c.depth; ++b) {
    const std::string pre = "blocks." + std::to_string(b) + ".";
    Layer norm1 = elementwise(pre + "norm1", OpKind::norm, b, 1, n, d, 2 * d);
    norm1.per_row = {.exp = 0, .erf = 0, .div = 1, .sqrt = 1};
    layers.push_back(norm1);
    layers.push_back(
        gemm(pre + "attn.qkv", OpKind::linear, b, n, d, 3 * d, d * 3 * d + (c.qkv_bias ? 3 * d : 0), kTokM));
    if (c.attention == Attention::softmax) {
      Layer qk = gemm(pre + "attn.qk", OpKind::matmul, b, n, dh, n, 0, kTokM | kTokN);
      qk.groups = h;
      layers.push_back(qk);
      Layer softmax = elementwise(pre + "attn.softmax", OpKind::softmax, b, h, n, n, 0);
      softmax.token_axes = kTokM | kTokN;
      softmax.per_element = {.exp = 1, .erf = 0, .div = 1, .sqrt = 0};
      softmax.fields = kSoftmax | kTokenKeep;
      layers.push_back(softmax);
      Layer av = gemm(pre + "attn.av", OpKind::matmul, b, n, n, dh, 0, kTokM | kTokK);
      av.groups = h;
      layers.push_back(av);
    } else {
      // ReLU linear attention: out = relu(Q) (relu(K)^T [V 1]) / ..., computed per head as
      // K^T V' (dh x (dh+1), summed over tokens) then Q (K^T V'), one division per output.
      Layer kv = gemm(pre + "attn.kv", OpKind::matmul, b, dh, n, dh + 1, 0, kTokK);
      kv.groups = h;
      kv.fields |= kTokenKeep;
      layers.push_back(kv);
      Layer qkv_out = gemm(pre + "attn.qkv_out", OpKind::matmul, b, n, dh, dh + 1, 0, kTokM);
      qkv_out.groups = h;
      qkv_out.fields |= kDivide;
      qkv_out.per_element = {
          .exp = 0, .erf = 0, .div = static_cast<double>(dh) / static_cast<double>(dh + 1), .sqrt = 0};
      layers.push_back(qkv_out);
    }
    layers.push_back(gemm(pre + "attn.proj", OpKind::linear, b, n, d, d, d * d + d, kTokM));
    Layer norm2 = elementwise(pre + "norm2", OpKind::norm, b, 1, n, d, 2 * d);
    norm2.per_row = {.exp = 0, .erf = 0, .div = 1, .sqrt = 1};
    layers.push_back(norm2);
    layers.push_back(gemm(pre + "mlp.fc1", OpKind::linear, b, n, d, hidden, d * hidden + hidden, kTokM));
    Layer act = elementwise(pre + "mlp.act", OpKind::activation, b, 1, n, hidden, 0);
    if (c.act == Activation::gelu) {
      act.per_element.erf = 1;
      act.fields = kGelu;
    }
    layers.push_back(act);
    Layer fc2 = gemm(pre + "mlp.fc2", OpKind::linear, b, n, hidden, d, hidden * d + d, kTokM);
    fc2.fields |= kFfn2Prune | kFfn2Mode;
    layers.push_back(fc2);
  }
  Layer norm = elementwise("norm", OpKind::norm, -1, 1, n, d, 2 * d);
  norm.per_row = {.exp = 0, .erf = 0, .div = 1, .sqrt = 1};
  layers.push_back(norm);
  // The head classifies the class token only.
  layers.push_back(gemm("head", OpKind::linear, -1, 1, d, c.num_classes, d * c.num_classes + c.num_classes, 0));
  return layers;
}

}  // namespace vitdse::model

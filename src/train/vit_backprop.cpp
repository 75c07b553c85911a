// The backward pass, layer by layer in reverse, over the forward pass's tape.
#include "vitdse/train/vit_backprop.hpp"

#include <cmath>

#include "layer_backward.hpp"
#include "vitdse/eval/vit_engine.hpp"

namespace vitdse::train {

namespace {

using detail::layer_norm_backward;
using detail::linear_backward;

/// Multi-head attention from the qkv output to the heads' outputs, per image and head:
/// S = (Q·s) K^T, P = softmax(S), O = P V, with s = hd^-1/2. Writes d(qkv) into `dqkv`.
void attention_backward(const model::ModelCard& card, const eval::BlockTape& t, const FloatMatrix& dmixed,
                        FloatMatrix& dqkv) {
  const int d = card.embed_dim, hd = card.head_dim(), heads = card.num_heads, n = t.tokens;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  dqkv.resize(t.qkv.rows(), t.qkv.cols());
  FloatMatrix dp, ds;
  for (int i = 0; i < static_cast<int>(t.probs.size()) / heads; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * n;
    for (int h = 0; h < heads; ++h) {
      const FloatMatrix& p = t.probs[static_cast<std::size_t>(i * heads + h)];
      const auto q = t.qkv.block(base, h * hd, n, hd);
      const auto k = t.qkv.block(base, d + h * hd, n, hd);
      const auto v = t.qkv.block(base, 2 * d + h * hd, n, hd);
      const auto dout = dmixed.block(base, h * hd, n, hd);
      dp.noalias() = dout * v.transpose();
      dqkv.block(base, 2 * d + h * hd, n, hd).noalias() = p.transpose() * dout;
      // Softmax's Jacobian: dS = P ∘ (dP - rowsum(dP ∘ P)).
      const Eigen::VectorXf inner = (dp.array() * p.array()).rowwise().sum();
      ds = (p.array() * (dp.colwise() - inner).array()).matrix();
      dqkv.block(base, h * hd, n, hd).noalias() = scale * (ds * k);
      dqkv.block(base, d + h * hd, n, hd).noalias() = scale * (ds.transpose() * q);
    }
  }
}

/// ReLU linear attention, per image and head: kv = relu(K)^T [V 1], o = relu(Q) kv,
/// out = o[:, :hd] / (o[:, hd] + eps). Writes d(qkv) into `dqkv`.
void linear_attention_backward(const model::ModelCard& card, const eval::BlockTape& t, const FloatMatrix& dmixed,
                               FloatMatrix& dqkv) {
  const int d = card.embed_dim, hd = card.head_dim(), heads = card.num_heads, n = t.tokens;
  dqkv.resize(t.qkv.rows(), t.qkv.cols());
  for (int i = 0; i < static_cast<int>(t.probs.size()) / heads; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * n;
    for (int h = 0; h < heads; ++h) {
      const auto head = static_cast<std::size_t>(i * heads + h);
      detail::relu_linear_attention_backward(t.qkv.block(base, h * hd, n, hd), t.qkv.block(base, d + h * hd, n, hd),
                                             t.qkv.block(base, 2 * d + h * hd, n, hd), t.kv[head], t.probs[head],
                                             dmixed.block(base, h * hd, n, hd), eval::kLinearAttentionEps,
                                             dqkv.block(base, h * hd, n, hd), dqkv.block(base, d + h * hd, n, hd),
                                             dqkv.block(base, 2 * d + h * hd, n, hd));
    }
  }
}

/// d(fc1 output) from d(fc2 input): the activation's derivative, and nothing through pruned units.
void activation_backward(model::Activation act, const eval::BlockTape& t, FloatMatrix& dhidden) {
  if (act == model::Activation::relu) {
    dhidden = (t.pre_act.array() > 0.0f).select(dhidden, 0.0f);
  } else {
    dhidden.array() *= eval::gelu_erf_derivative(t.pre_act).array();
  }
  if (t.ffn2_pruned) dhidden = (t.hidden.array() != 0.0f).select(dhidden, 0.0f);
}

}  // namespace

void backpropagate(const model::ModelCard& card, const eval::VitWeights& weights, const eval::ForwardTape& tape,
                   const FloatMatrix& dlogits, eval::VitWeights& grad) {
  const int count = tape.count, d = card.embed_dim;
  FloatMatrix dh, dcls, dx, dhidden, dmixed, dqkv, dnorm;
  linear_backward(tape.pooled, weights.head, dlogits, grad.head, &dh);
  layer_norm_backward(tape.cls, tape.norm, weights.norm, dh, grad.norm, dcls);

  // The residual stream's gradient after the last block: only the class tokens feed the head.
  const eval::BlockTape& last = tape.blocks.back();
  const int tokens_out = last.kept_rows.empty() ? last.tokens : static_cast<int>(last.kept_rows.size()) / count;
  dx.setZero(static_cast<Eigen::Index>(count) * tokens_out, d);
  for (int i = 0; i < count; ++i) dx.row(static_cast<Eigen::Index>(i) * tokens_out) = dcls.row(i);

  for (int b = card.depth - 1; b >= 0; --b) {
    const auto& t = tape.blocks[static_cast<std::size_t>(b)];
    const auto& w = weights.blocks[static_cast<std::size_t>(b)];
    auto& g = grad.blocks[static_cast<std::size_t>(b)];
    if (!t.kept_rows.empty()) {  // pruned tokens get no gradient from later blocks
      FloatMatrix full = FloatMatrix::Zero(static_cast<Eigen::Index>(count) * t.tokens, d);
      for (std::size_t r = 0; r < t.kept_rows.size(); ++r)
        full.row(t.kept_rows[r]) = dx.row(static_cast<Eigen::Index>(r));
      dx = std::move(full);
    }
    // x_out = x_mid + fc2(act(fc1(norm2(x_mid))))
    linear_backward(t.hidden, w.fc2, dx, g.fc2, &dhidden);
    activation_backward(card.act, t, dhidden);
    linear_backward(t.h2, w.fc1, dhidden, g.fc1, &dh);
    layer_norm_backward(t.x_mid, t.norm2, w.norm2, dh, g.norm2, dnorm);
    dx += dnorm;
    // x_mid = x + proj(attention(qkv(norm1(x))))
    linear_backward(t.mixed, w.proj, dx, g.proj, &dmixed);
    if (card.attention == model::Attention::linear_relu) {
      linear_attention_backward(card, t, dmixed, dqkv);
    } else {
      attention_backward(card, t, dmixed, dqkv);
    }
    linear_backward(t.h1, w.qkv, dqkv, g.qkv, &dh);
    layer_norm_backward(t.x, t.norm1, w.norm1, dh, g.norm1, dnorm);
    dx += dnorm;
  }

  // x0 = [cls + pos_0; patch_embed(patches) + pos_1..]
  const int tokens = card.tokens(), patches = tokens - 1;
  FloatMatrix dembedded(static_cast<Eigen::Index>(count) * patches, d);
  for (int i = 0; i < count; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * tokens;
    grad.cls_token += dx.row(base);
    grad.pos_embed += dx.middleRows(base, tokens);
    dembedded.middleRows(static_cast<Eigen::Index>(i) * patches, patches) = dx.middleRows(base + 1, patches);
  }
  linear_backward(tape.patches, weights.patch_embed, dembedded, grad.patch_embed, nullptr);
}

}  // namespace vitdse::train

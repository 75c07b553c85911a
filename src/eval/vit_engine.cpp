// The float ViT forward pass, chunked over images and run on TBB's threads.
#include "vitdse/eval/vit_engine.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <tbb/parallel_for.h>

#include "vitdse/core/error.hpp"
#include "vitdse/eval/float_ops.hpp"

namespace vitdse::eval {

namespace {

/// Tokens per chunk: enough rows for efficient GEMMs, small enough to stay in cache and to
/// give both cores work at moderate batches.
constexpr int kChunkTokens = 512;

}  // namespace

VitEngine::VitEngine(model::ModelCard card, VitWeights weights) : card_(std::move(card)), weights_(std::move(weights)) {
  check_runnable(card_);
}

std::size_t VitEngine::image_size() const {
  return static_cast<std::size_t>(card_.in_chans) * static_cast<std::size_t>(card_.img_size) *
         static_cast<std::size_t>(card_.img_size);
}

FloatMatrix VitEngine::forward(std::span<const float> images, int batch) const {
  if (batch < 0 || images.size() != image_size() * static_cast<std::size_t>(batch)) {
    throw Error("model '" + card_.name + "' takes images of " + std::to_string(image_size()) + " floats (" +
                std::to_string(card_.in_chans) + "x" + std::to_string(card_.img_size) + "x" +
                std::to_string(card_.img_size) + "); got " + std::to_string(images.size()) + " floats for a batch of " +
                std::to_string(batch));
  }
  FloatMatrix logits(batch, card_.num_classes);
  const int per_chunk = std::max(1, kChunkTokens / card_.tokens());
  const int chunks = (batch + per_chunk - 1) / per_chunk;
  tbb::parallel_for(0, chunks, [&](int c) {
    const int first = c * per_chunk, count = std::min(per_chunk, batch - first);
    forward_chunk(images.data() + image_size() * static_cast<std::size_t>(first), count, logits, first);
  });
  return logits;
}

void VitEngine::embed(const float* images, int count, FloatMatrix& x) const {
  const int p = card_.patch_size, grid = card_.img_size / p, img = card_.img_size, channels = card_.in_chans;
  const int patches = grid * grid, tokens = card_.tokens(), d = card_.embed_dim;
  // Each patch flattened in (c, ky, kx) order, the order of the convolution's weight.
  FloatMatrix flat(static_cast<Eigen::Index>(count) * patches, channels * p * p);
  for (int i = 0; i < count; ++i) {
    const float* image = images + image_size() * static_cast<std::size_t>(i);
    for (int gy = 0; gy < grid; ++gy) {
      for (int gx = 0; gx < grid; ++gx) {
        float* row = flat.row(static_cast<Eigen::Index>(i) * patches + gy * grid + gx).data();
        for (int c = 0; c < channels; ++c) {
          for (int ky = 0; ky < p; ++ky) {
            const float* src = image + (static_cast<std::size_t>(c) * img + gy * p + ky) * img + gx * p;
            std::copy(src, src + p, row + (c * p + ky) * p);
          }
        }
      }
    }
  }
  FloatMatrix embedded;
  linear(flat, weights_.patch_embed, embedded);
  x.resize(static_cast<Eigen::Index>(count) * tokens, d);
  for (int i = 0; i < count; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * tokens;
    x.row(base) = weights_.cls_token + weights_.pos_embed.row(0);
    x.middleRows(base + 1, patches) =
        embedded.middleRows(static_cast<Eigen::Index>(i) * patches, patches) + weights_.pos_embed.bottomRows(patches);
  }
}

void VitEngine::attention(const FloatMatrix& qkv, int count, FloatMatrix& out) const {
  const int tokens = card_.tokens(), d = card_.embed_dim, hd = card_.head_dim();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  out.resize(static_cast<Eigen::Index>(count) * tokens, d);
  FloatMatrix scores(tokens, tokens), q(tokens, hd);
  for (int i = 0; i < count; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * tokens;
    for (int h = 0; h < card_.num_heads; ++h) {
      q = qkv.block(base, h * hd, tokens, hd) * scale;
      scores.noalias() = q * qkv.block(base, d + h * hd, tokens, hd).transpose();
      softmax_rows(scores);
      out.block(base, h * hd, tokens, hd).noalias() = scores * qkv.block(base, 2 * d + h * hd, tokens, hd);
    }
  }
}

void VitEngine::forward_chunk(const float* images, int count, FloatMatrix& out, int first) const {
  const int tokens = card_.tokens();
  FloatMatrix x, h, wide, mixed, delta;
  embed(images, count, x);
  for (const auto& block : weights_.blocks) {
    layer_norm(x, block.norm1, card_.norm_eps, h);
    linear(h, block.qkv, wide);
    attention(wide, count, mixed);
    linear(mixed, block.proj, delta);
    x += delta;
    layer_norm(x, block.norm2, card_.norm_eps, h);
    linear(h, block.fc1, wide);
    gelu_erf(wide);
    linear(wide, block.fc2, delta);
    x += delta;
  }
  FloatMatrix cls(count, card_.embed_dim);
  for (int i = 0; i < count; ++i) cls.row(i) = x.row(static_cast<Eigen::Index>(i) * tokens);
  layer_norm(cls, weights_.norm, card_.norm_eps, h);
  linear(h, weights_.head, delta);
  out.middleRows(first, count) = delta;
}

}  // namespace vitdse::eval

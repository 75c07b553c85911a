// The ViT forward pass, chunked over images and run on TBB's threads.
#include "vitdse/eval/vit_engine.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>

#include <tbb/parallel_for.h>

#include "vitdse/core/error.hpp"
#include "vitdse/eval/float_ops.hpp"

namespace vitdse::eval {

namespace {

/// Tokens per chunk: enough rows for efficient GEMMs, small enough to stay in cache and to
/// give both cores work at moderate batches.
constexpr int kChunkTokens = 512;

/// Keeps, per image, the class token and the `kept` patch tokens ranked highest by `score`;
/// `source` gets each kept row's row in `x`.
FloatMatrix prune_tokens(const FloatMatrix& x, int count, int tokens, int kept, const FloatMatrix& score,
                         std::vector<int>& source) {
  FloatMatrix out(static_cast<Eigen::Index>(count) * (kept + 1), x.cols());
  source.clear();
  std::vector<int> order(static_cast<std::size_t>(tokens - 1));
  for (int i = 0; i < count; ++i) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score(i, a) > score(i, b); });
    std::sort(order.begin(), order.begin() + kept);
    source.push_back(i * tokens);
    for (int t = 0; t < kept; ++t) source.push_back(i * tokens + 1 + order[static_cast<std::size_t>(t)]);
  }
  for (std::size_t r = 0; r < source.size(); ++r) out.row(static_cast<Eigen::Index>(r)) = x.row(source[r]);
  return out;
}

/// Zeroes, in each row, all but the `kept` entries of largest magnitude (ties to the earlier).
/// Linear time per row: the kept-th largest magnitude by selection, then one pass.
void keep_largest_per_row(FloatMatrix& h, int kept) {
  const auto cols = static_cast<std::size_t>(h.cols());
  if (kept >= static_cast<int>(cols)) return;
  std::vector<float> magnitude(cols);
  for (Eigen::Index r = 0; r < h.rows(); ++r) {
    for (std::size_t j = 0; j < cols; ++j) magnitude[j] = std::abs(h(r, static_cast<Eigen::Index>(j)));
    std::nth_element(magnitude.begin(), magnitude.begin() + (kept - 1), magnitude.end(), std::greater<>());
    const float threshold = magnitude[static_cast<std::size_t>(kept - 1)];
    int above = 0;
    for (Eigen::Index j = 0; j < h.cols(); ++j) above += std::abs(h(r, j)) > threshold ? 1 : 0;
    int ties_left = kept - above;
    for (Eigen::Index j = 0; j < h.cols(); ++j) {
      const float m = std::abs(h(r, j));
      if (m > threshold) continue;
      if (m == threshold && ties_left > 0) {
        --ties_left;
        continue;
      }
      h(r, j) = 0.0f;
    }
  }
}

}  // namespace

VitEngine::VitEngine(model::ModelCard card, VitWeights weights) : card_(std::move(card)), weights_(std::move(weights)) {
  check_runnable(card_);
  if (card_.act == model::Activation::hswish) {
    throw Error("model '" + card_.name + "': the evaluator runs GELU or ReLU MLPs; this card has " +
                model::to_string(card_.act));
  }
  float_datapath_.act = card_.act;
}

std::size_t VitEngine::image_size() const {
  return static_cast<std::size_t>(card_.in_chans) * static_cast<std::size_t>(card_.img_size) *
         static_cast<std::size_t>(card_.img_size);
}

void VitEngine::check_batch(std::span<const float> images, int batch) const {
  if (batch < 0 || images.size() != image_size() * static_cast<std::size_t>(batch)) {
    throw Error("model '" + card_.name + "' takes images of " + std::to_string(image_size()) + " floats (" +
                std::to_string(card_.in_chans) + "x" + std::to_string(card_.img_size) + "x" +
                std::to_string(card_.img_size) + "); got " + std::to_string(images.size()) + " floats for a batch of " +
                std::to_string(batch));
  }
}

int VitEngine::images_per_chunk() const { return std::max(1, kChunkTokens / card_.tokens()); }

int VitEngine::chunks(int batch) const { return (batch + images_per_chunk() - 1) / images_per_chunk(); }

FloatMatrix VitEngine::forward(std::span<const float> images, int batch, const Datapath* datapath) const {
  return forward_chunks(images, batch, datapath != nullptr ? *datapath : float_datapath_, nullptr, 0, chunks(batch),
                        {});
}

FloatMatrix VitEngine::forward_part(std::span<const float> images, int batch, const Datapath& datapath, int first,
                                    int last) const {
  return forward_chunks(images, batch, datapath, nullptr, first, last, {});
}

FloatMatrix VitEngine::forward_resuming(std::span<const float> images, int batch, const Datapath& datapath,
                                        StageStates& states, int first, int last, std::span<const int> resume) const {
  return forward_chunks(images, batch, datapath, &states, first, last, resume);
}

FloatMatrix VitEngine::forward_chunks(std::span<const float> images, int batch, const Datapath& dp, StageStates* states,
                                      int first, int last, std::span<const int> resume) const {
  check_batch(images, batch);
  const int per_chunk = images_per_chunk(), all = chunks(batch);
  if (first < 0 || last > all || first > last || (states != nullptr && resume.size() != std::size_t(last - first))) {
    throw Error("forward pass over chunks [" + std::to_string(first) + ", " + std::to_string(last) + ") of " +
                std::to_string(all) + " with " + std::to_string(resume.size()) + " resume points");
  }
  const int offset = first * per_chunk;
  FloatMatrix logits(std::min(batch, last * per_chunk) - offset, card_.num_classes);
  const auto stages = static_cast<std::size_t>(card_.depth) + 1;
  // Kept buffers are overwritten in place (same shapes), not reallocated and faulted in again.
  const bool fresh = states != nullptr && states->chunks.size() != static_cast<std::size_t>(all);
  if (fresh) states->chunks.assign(static_cast<std::size_t>(all), std::vector<FloatMatrix>(stages));
  tbb::parallel_for(first, last, [&](int c) {
    const int start = c * per_chunk, count = std::min(per_chunk, batch - start);
    const int from = states == nullptr || fresh ? 0 : resume[static_cast<std::size_t>(c - first)];
    forward_chunk(images.data() + image_size() * static_cast<std::size_t>(start), count, dp, logits, start - offset,
                  nullptr, states != nullptr ? &states->chunks[static_cast<std::size_t>(c)] : nullptr,
                  std::min(from, static_cast<int>(stages)));
  });
  return logits;
}

FloatMatrix VitEngine::forward_recorded(std::span<const float> images, int count, const Datapath* datapath,
                                        ForwardTape& tape) const {
  check_batch(images, count);
  FloatMatrix logits(count, card_.num_classes);
  forward_chunk(images.data(), count, datapath != nullptr ? *datapath : float_datapath_, logits, 0, &tape);
  return logits;
}

void VitEngine::embed(const float* images, int count, const Datapath& dp, FloatMatrix& x, ForwardTape* tape) const {
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
  dp.linear(Site{-1, Op::patch_embed}, flat, weights_.patch_embed, embedded);
  if (tape != nullptr) tape->patches = std::move(flat);
  x.resize(static_cast<Eigen::Index>(count) * tokens, d);
  for (int i = 0; i < count; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * tokens;
    x.row(base) = weights_.cls_token + weights_.pos_embed.row(0);
    x.middleRows(base + 1, patches) =
        embedded.middleRows(static_cast<Eigen::Index>(i) * patches, patches) + weights_.pos_embed.bottomRows(patches);
  }
}

void VitEngine::attention(int block, const FloatMatrix& qkv, int count, int tokens, const Datapath& dp,
                          FloatMatrix& out, FloatMatrix& cls_attention, BlockTape* rec) const {
  if (card_.attention == model::Attention::linear_relu) {
    return linear_attention(block, qkv, count, tokens, dp, out, cls_attention, rec);
  }
  std::vector<FloatMatrix>* probs = rec != nullptr ? &rec->probs : nullptr;
  const int d = card_.embed_dim, hd = card_.head_dim();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  out.resize(static_cast<Eigen::Index>(count) * tokens, d);
  cls_attention.setZero(count, tokens - 1);
  FloatMatrix scores, q(tokens, hd);
  if (probs != nullptr) probs->clear();
  for (int i = 0; i < count; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * tokens;
    for (int h = 0; h < card_.num_heads; ++h) {
      q = qkv.block(base, h * hd, tokens, hd) * scale;
      dp.scores(block, q, qkv.block(base, d + h * hd, tokens, hd), scores);
      dp.softmax(block, scores);
      cls_attention.row(i) += scores.row(0).tail(tokens - 1) / static_cast<float>(card_.num_heads);
      dp.mix(block, scores, qkv.block(base, 2 * d + h * hd, tokens, hd), out.block(base, h * hd, tokens, hd));
      if (probs != nullptr) probs->push_back(scores);
    }
  }
}

void VitEngine::linear_attention(int block, const FloatMatrix& qkv, int count, int tokens, const Datapath& dp,
                                 FloatMatrix& out, FloatMatrix& cls_attention, BlockTape* rec) const {
  const int d = card_.embed_dim, hd = card_.head_dim();
  out.resize(static_cast<Eigen::Index>(count) * tokens, d);
  cls_attention.setZero(count, tokens - 1);
  if (rec != nullptr) {
    rec->probs.clear();
    rec->kv.clear();
  }
  FloatMatrix q, k_t, v1(tokens, hd + 1), kv, o;
  v1.col(hd).setOnes();
  for (int i = 0; i < count; ++i) {
    const Eigen::Index base = static_cast<Eigen::Index>(i) * tokens;
    for (int h = 0; h < card_.num_heads; ++h) {
      q = qkv.block(base, h * hd, tokens, hd).cwiseMax(0.0f);
      k_t = qkv.block(base, d + h * hd, tokens, hd).cwiseMax(0.0f).transpose();
      v1.leftCols(hd) = qkv.block(base, 2 * d + h * hd, tokens, hd);
      dp.matmul(Site{block, Op::kv}, k_t, v1, kv);
      dp.matmul(Site{block, Op::qkv_out}, q, kv, o);
      Eigen::ArrayXf den = o.col(hd).array() + kLinearAttentionEps;
      dp.denominators(block, den);
      out.block(base, h * hd, tokens, hd) = (o.leftCols(hd).array().colwise() / den).matrix();
      // The class token's implied attention to each patch token ranks tokens for pruning.
      cls_attention.row(i) += (q.row(0) * k_t.rightCols(tokens - 1)) / (den(0) * static_cast<float>(card_.num_heads));
      if (rec != nullptr) {
        rec->probs.push_back(o);
        rec->kv.push_back(kv);
      }
    }
  }
}

void VitEngine::forward_chunk(const float* images, int count, const Datapath& dp, FloatMatrix& out, int first,
                              ForwardTape* tape, std::vector<FloatMatrix>* states, int resume) const {
  int tokens = card_.tokens();
  FloatMatrix x, h, wide, mixed, delta, cls_attention;
  if (tape != nullptr) {
    tape->count = count;
    tape->blocks.resize(static_cast<std::size_t>(card_.depth));
  }
  int start = 0;  // the first block computed
  if (states != nullptr && resume > 0) {
    x = (*states)[static_cast<std::size_t>(resume - 1)];
    tokens = static_cast<int>(x.rows()) / count;
    start = resume - 1;
  } else {
    embed(images, count, dp, x, tape);
    if (states != nullptr) (*states)[0] = x;
  }
  for (int b = start; b < card_.depth; ++b) {
    const auto& block = weights_.blocks[static_cast<std::size_t>(b)];
    BlockTape* rec = tape != nullptr ? &tape->blocks[static_cast<std::size_t>(b)] : nullptr;
    if (rec != nullptr) {
      rec->tokens = tokens;
      rec->x = x;
    }
    layer_norm(x, block.norm1, card_.norm_eps, h, rec != nullptr ? &rec->norm1 : nullptr);
    dp.linear(Site{b, Op::qkv}, h, block.qkv, wide);
    attention(b, wide, count, tokens, dp, mixed, cls_attention, rec);
    if (rec != nullptr) {
      rec->h1 = h;
      rec->qkv = wide;
      rec->mixed = mixed;
    }
    dp.linear(Site{b, Op::proj}, mixed, block.proj, delta);
    x += delta;
    if (rec != nullptr) rec->x_mid = x;
    layer_norm(x, block.norm2, card_.norm_eps, h, rec != nullptr ? &rec->norm2 : nullptr);
    dp.linear(Site{b, Op::fc1}, h, block.fc1, wide);
    if (rec != nullptr) {
      rec->h2 = h;
      rec->pre_act = wide;
    }
    dp.activation(b, wide);
    const double prune = dp.ffn2_prune(b);
    if (prune > 0.0) {
      keep_largest_per_row(wide, static_cast<int>(std::ceil((1.0 - prune) * static_cast<double>(wide.cols()))));
    }
    dp.linear(Site{b, Op::fc2}, wide, block.fc2, delta);
    if (rec != nullptr) {
      rec->hidden = wide;
      rec->ffn2_pruned = prune > 0.0;
    }
    x += delta;
    if (const double keep = dp.token_keep(b); keep < 1.0) {
      const int kept = static_cast<int>(std::ceil(keep * (tokens - 1)));
      std::vector<int> source;
      x = prune_tokens(x, count, tokens, kept, cls_attention, source);
      if (rec != nullptr) rec->kept_rows = std::move(source);
      tokens = kept + 1;
    } else if (rec != nullptr) {
      rec->kept_rows.clear();
    }
    if (states != nullptr) (*states)[static_cast<std::size_t>(b) + 1] = x;
  }
  FloatMatrix cls(count, card_.embed_dim);
  for (int i = 0; i < count; ++i) cls.row(i) = x.row(static_cast<Eigen::Index>(i) * tokens);
  layer_norm(cls, weights_.norm, card_.norm_eps, h, tape != nullptr ? &tape->norm : nullptr);
  dp.linear(Site{-1, Op::head}, h, weights_.head, delta);
  if (tape != nullptr) {
    tape->cls = std::move(cls);
    tape->pooled = h;
  }
  out.middleRows(first, count) = delta;
}

}  // namespace vitdse::eval

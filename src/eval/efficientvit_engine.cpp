// The EfficientViT forward pass, one image per task on TBB's threads.
#include "vitdse/eval/efficientvit_engine.hpp"

#include <tbb/parallel_for.h>

#include "vitdse/core/error.hpp"
#include "vitdse/eval/float_ops.hpp"

namespace vitdse::eval {

EfficientVitEngine::EfficientVitEngine(model::ModelCard card, const EfficientVitWeights& weights)
    : card_(std::move(card)) {
  if (card_.family != model::Family::efficientvit) {
    throw Error("model '" + card_.name + "' is not an EfficientViT; its family is " + model::to_string(card_.family));
  }
  const double eps = card_.norm_eps;
  const auto fold_mbconv = [eps](const MbConvWeights& m) {
    return MbConv{fold(m.inverted, eps), fold(m.depthwise, eps), fold(m.pointwise, eps), m.residual};
  };
  stem_ = fold(weights.stem, eps);
  for (const auto& c : weights.stem_depthwise) stem_depthwise_.push_back(fold(c, eps));
  for (const auto& c : weights.stem_pointwise) stem_pointwise_.push_back(fold(c, eps));
  for (const auto& stage : weights.stages) {
    auto& blocks = stages_.emplace_back();
    for (const auto& b : stage) {
      Block block{std::nullopt, fold_mbconv(b.mbconv)};
      if (b.attention) {
        const LiteMlaWeights& a = *b.attention;
        Attention folded{a.heads, a.head_dim, fold(a.qkv, eps), fold(a.proj, eps), {}, {}};
        for (const auto& c : a.aggreg_depthwise) folded.aggreg_depthwise.push_back(fold(c, eps));
        for (const auto& c : a.aggreg_pointwise) folded.aggreg_pointwise.push_back(fold(c, eps));
        block.attention = std::move(folded);
      }
      blocks.push_back(std::move(block));
    }
  }
  head_conv_ = fold(weights.head_conv, eps);
  head_fc1_ = weights.head_fc1;
  head_norm_ = weights.head_norm;
  head_fc2_ = weights.head_fc2;
}

std::size_t EfficientVitEngine::image_size() const {
  return static_cast<std::size_t>(card_.in_chans) * static_cast<std::size_t>(card_.img_size) *
         static_cast<std::size_t>(card_.img_size);
}

void EfficientVitEngine::check_image(std::span<const float> images, int batch) const {
  if (batch < 0 || images.size() != image_size() * static_cast<std::size_t>(batch)) {
    throw Error("model '" + card_.name + "' takes images of " + std::to_string(image_size()) + " floats (" +
                std::to_string(card_.in_chans) + "x" + std::to_string(card_.img_size) + "x" +
                std::to_string(card_.img_size) + "); got " + std::to_string(images.size()) + " floats for a batch of " +
                std::to_string(batch));
  }
}

FloatMatrix EfficientVitEngine::forward(std::span<const float> images, int batch) const {
  check_image(images, batch);
  FloatMatrix logits(batch, card_.num_classes);
  tbb::parallel_for(0, batch, [&](int i) {
    logits.row(i) = forward_image(images.data() + image_size() * static_cast<std::size_t>(i), nullptr);
  });
  return logits;
}

std::vector<FeatureMap> EfficientVitEngine::stage_outputs(std::span<const float> image) const {
  check_image(image, 1);
  std::vector<FeatureMap> stages;
  (void)forward_image(image.data(), &stages);
  return stages;
}

void EfficientVitEngine::mbconv(const MbConv& m, FeatureMap& x) const {
  FeatureMap wide, mid, out;
  conv2d(x, m.inverted, wide);
  conv2d(wide, m.depthwise, mid);
  conv2d(mid, m.pointwise, out);
  if (m.residual) out.values += x.values;
  x = std::move(out);
}

void EfficientVitEngine::attention(const Attention& a, FeatureMap& x) const {
  FeatureMap qkv, spread, aggregated;
  conv2d(x, a.qkv, qkv);
  const auto branches = static_cast<Eigen::Index>(a.aggreg_depthwise.size()) + 1;
  const Eigen::Index pixels = qkv.values.rows(), width = qkv.values.cols(), d = a.head_dim;
  FloatMatrix all(pixels, width * branches);
  all.leftCols(width) = qkv.values;
  for (std::size_t s = 0; s < a.aggreg_depthwise.size(); ++s) {
    conv2d(qkv, a.aggreg_depthwise[s], spread);
    conv2d(spread, a.aggreg_pointwise[s], aggregated);
    all.middleCols(width * static_cast<Eigen::Index>(s + 1), width) = aggregated.values;
  }
  // Head g of all branches: q, k, v are 3·d consecutive channels from 3·d·g.
  const Eigen::Index heads = all.cols() / (3 * d);
  FeatureMap mixed{FloatMatrix(pixels, heads * d), x.height, x.width};
  FloatMatrix v1(pixels, d + 1), kv, o;
  v1.col(d).setOnes();
  for (Eigen::Index g = 0; g < heads; ++g) {
    const FloatMatrix q = all.middleCols(3 * d * g, d).cwiseMax(0.0f);
    const FloatMatrix k = all.middleCols(3 * d * g + d, d).cwiseMax(0.0f);
    v1.leftCols(d) = all.middleCols(3 * d * g + 2 * d, d);
    kv.noalias() = k.transpose() * v1;
    o.noalias() = q * kv;
    const Eigen::ArrayXf den = o.col(d).array() + kLiteMlaEps;
    mixed.values.middleCols(g * d, d) = (o.leftCols(d).array().colwise() / den).matrix();
  }
  FeatureMap out;
  conv2d(mixed, a.proj, out);
  x.values += out.values;
}

FloatRow EfficientVitEngine::forward_image(const float* image, std::vector<FeatureMap>* stages) const {
  const int side = card_.img_size, channels = card_.in_chans;
  FeatureMap in{FloatMatrix(side * side, channels), side, side};
  for (int c = 0; c < channels; ++c) {
    for (int p = 0; p < side * side; ++p) in.values(p, c) = image[static_cast<std::size_t>(c) * side * side + p];
  }
  FeatureMap x, half, delta;
  conv2d(in, stem_, x);
  for (std::size_t j = 0; j < stem_depthwise_.size(); ++j) {
    conv2d(x, stem_depthwise_[j], half);
    conv2d(half, stem_pointwise_[j], delta);
    x.values += delta.values;
  }
  if (stages != nullptr) stages->push_back(x);
  for (const auto& stage : stages_) {
    for (const auto& block : stage) {
      if (block.attention) attention(*block.attention, x);
      mbconv(block.mbconv, x);
    }
    if (stages != nullptr) stages->push_back(x);
  }
  conv2d(x, head_conv_, half);
  const FloatMatrix pooled = half.values.colwise().mean();
  FloatMatrix hidden, normed, logits;
  linear(pooled, head_fc1_, hidden);
  layer_norm(hidden, head_norm_, card_.norm_eps, normed);
  hardswish(normed);
  linear(normed, head_fc2_, logits);
  return logits.row(0);
}

}  // namespace vitdse::eval

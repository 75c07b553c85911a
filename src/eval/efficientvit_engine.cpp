// The EfficientViT forward pass, a fixed chunk of images per task on TBB's threads.
#include "vitdse/eval/efficientvit_engine.hpp"

#include <tbb/parallel_for.h>

#include "vitdse/core/error.hpp"
#include "vitdse/eval/float_ops.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::eval {

EfficientVitEngine::EfficientVitEngine(model::ModelCard card, const EfficientVitWeights& weights)
    : card_(std::move(card)) {
  if (card_.family != model::Family::efficientvit) {
    throw Error("model '" + card_.name + "' is not an EfficientViT; its family is " + model::to_string(card_.family));
  }
  // Each conv and product finds its workload layer by timm's module name.
  const model::Workload workload(card_);
  const auto index = [&](const std::string& name) {
    const int i = workload.find(name);
    if (i < 0) throw Error("model '" + card_.name + "': no workload layer " + name);
    return i;
  };
  const double eps = card_.norm_eps;
  const auto folded = [&](const ConvLayer& c) { return eval::fold(c, eps, index(c.name)); };
  const auto fold_mbconv = [&](const MbConvWeights& m) {
    return MbConv{folded(m.inverted), folded(m.depthwise), folded(m.pointwise), m.residual};
  };
  stem_ = folded(weights.stem);
  for (const auto& c : weights.stem_depthwise) stem_depthwise_.push_back(folded(c));
  for (const auto& c : weights.stem_pointwise) stem_pointwise_.push_back(folded(c));
  for (const auto& stage : weights.stages) {
    auto& blocks = stages_.emplace_back();
    for (const auto& b : stage) {
      Block block{std::nullopt, fold_mbconv(b.mbconv)};
      if (b.attention) {
        const LiteMlaWeights& a = *b.attention;
        const std::string module = a.qkv.name.substr(0, a.qkv.name.size() - 4);  // less ".qkv"
        Attention att{
            a.heads, a.head_dim, index(module + ".kv"), index(module + ".qkv_out"), folded(a.qkv), folded(a.proj),
            {},      {}};
        for (const auto& c : a.aggreg_depthwise) att.aggreg_depthwise.push_back(folded(c));
        for (const auto& c : a.aggreg_pointwise) att.aggreg_pointwise.push_back(folded(c));
        block.attention = std::move(att);
      }
      blocks.push_back(std::move(block));
    }
  }
  head_conv_ = folded(weights.head_conv);
  head_fc1_ = weights.head_fc1;
  head_fc1_layer_ = index("head.classifier.0");
  head_fc2_layer_ = index("head.classifier.4");
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

FloatMatrix EfficientVitEngine::forward(std::span<const float> images, int batch, const ConvDatapath* datapath) const {
  check_image(images, batch);
  const ConvDatapath& dp = datapath != nullptr ? *datapath : float_datapath_;
  FloatMatrix logits(batch, card_.num_classes);
  const int chunks = (batch + kEfficientVitChunkImages - 1) / kEfficientVitChunkImages;
  tbb::parallel_for(0, chunks, [&](int c) {
    const int first = c * kEfficientVitChunkImages, count = std::min(kEfficientVitChunkImages, batch - first);
    logits.middleRows(first, count) =
        forward_chunk(images.data() + image_size() * static_cast<std::size_t>(first), count, dp, nullptr);
  });
  return logits;
}

std::vector<FeatureMap> EfficientVitEngine::stage_outputs(std::span<const float> image) const {
  check_image(image, 1);
  std::vector<FeatureMap> stages;
  (void)forward_chunk(image.data(), 1, float_datapath_, &stages);
  return stages;
}

std::vector<const FoldedConv*> EfficientVitEngine::convolutions() const {
  std::vector<const FoldedConv*> out{&stem_};
  for (std::size_t j = 0; j < stem_depthwise_.size(); ++j)
    out.insert(out.end(), {&stem_depthwise_[j], &stem_pointwise_[j]});
  for (const auto& stage : stages_) {
    for (const auto& b : stage) {
      if (b.attention) {
        const Attention& a = *b.attention;
        out.push_back(&a.qkv);
        for (std::size_t s = 0; s < a.aggreg_depthwise.size(); ++s) {
          out.insert(out.end(), {&a.aggreg_depthwise[s], &a.aggreg_pointwise[s]});
        }
        out.push_back(&a.proj);
      }
      out.insert(out.end(), {&b.mbconv.inverted, &b.mbconv.depthwise, &b.mbconv.pointwise});
    }
  }
  out.push_back(&head_conv_);
  return out;
}

std::vector<std::pair<int, const Linear*>> EfficientVitEngine::head_layers() const {
  return {{head_fc1_layer_, &head_fc1_}, {head_fc2_layer_, &head_fc2_}};
}

void EfficientVitEngine::mbconv(const MbConv& m, const ConvDatapath& dp, FeatureMap& x) const {
  FeatureMap wide, mid, out;
  dp.conv(x, m.inverted, wide);
  dp.conv(wide, m.depthwise, mid);
  dp.conv(mid, m.pointwise, out);
  if (m.residual) out.values += x.values;
  x = std::move(out);
}

void EfficientVitEngine::attention(const Attention& a, const ConvDatapath& dp, FeatureMap& x) const {
  FeatureMap qkv, spread, aggregated;
  dp.conv(x, a.qkv, qkv);
  const auto branches = static_cast<Eigen::Index>(a.aggreg_depthwise.size()) + 1;
  const Eigen::Index rows = qkv.values.rows(), pixels = x.pixels(), width = qkv.values.cols(), d = a.head_dim;
  FloatMatrix all(rows, width * branches);
  all.leftCols(width) = qkv.values;
  for (std::size_t s = 0; s < a.aggreg_depthwise.size(); ++s) {
    dp.conv(qkv, a.aggreg_depthwise[s], spread);
    dp.conv(spread, a.aggreg_pointwise[s], aggregated);
    all.middleCols(width * static_cast<Eigen::Index>(s + 1), width) = aggregated.values;
  }
  // Head g of all branches: q, k, v are 3·d consecutive channels from 3·d·g; each image attends
  // over its own pixels.
  const Eigen::Index heads = all.cols() / (3 * d);
  FeatureMap mixed{FloatMatrix(rows, heads * d), x.height, x.width, x.count};
  FloatMatrix v1(pixels, d + 1), kv, o;
  v1.col(d).setOnes();
  for (int n = 0; n < x.count; ++n) {
    const auto image = all.middleRows(n * pixels, pixels);
    for (Eigen::Index g = 0; g < heads; ++g) {
      const FloatMatrix q = image.middleCols(3 * d * g, d).cwiseMax(0.0f);
      const FloatMatrix k_t = image.middleCols(3 * d * g + d, d).cwiseMax(0.0f).transpose();
      v1.leftCols(d) = image.middleCols(3 * d * g + 2 * d, d);
      dp.matmul(a.kv_layer, k_t, v1, kv);
      dp.matmul(a.out_layer, q, kv, o);
      Eigen::ArrayXf den = o.col(d).array() + kLiteMlaEps;
      dp.denominators(a.out_layer, den);
      mixed.values.block(n * pixels, g * d, pixels, d) = (o.leftCols(d).array().colwise() / den).matrix();
    }
  }
  FeatureMap out;
  dp.conv(mixed, a.proj, out);
  x.values += out.values;
}

FloatMatrix EfficientVitEngine::forward_chunk(const float* images, int count, const ConvDatapath& dp,
                                              std::vector<FeatureMap>* stages) const {
  const int side = card_.img_size, channels = card_.in_chans, pixels = side * side;
  FeatureMap in{FloatMatrix(count * pixels, channels), side, side, count};
  for (int n = 0; n < count; ++n) {
    for (int c = 0; c < channels; ++c) {
      for (int p = 0; p < pixels; ++p) {
        in.values(n * pixels + p, c) = images[(static_cast<std::size_t>(n) * channels + c) * pixels + p];
      }
    }
  }
  FeatureMap x, half, delta;
  dp.conv(in, stem_, x);
  for (std::size_t j = 0; j < stem_depthwise_.size(); ++j) {
    dp.conv(x, stem_depthwise_[j], half);
    dp.conv(half, stem_pointwise_[j], delta);
    x.values += delta.values;
  }
  if (stages != nullptr) stages->push_back(x);
  for (const auto& stage : stages_) {
    for (const auto& block : stage) {
      if (block.attention) attention(*block.attention, dp, x);
      mbconv(block.mbconv, dp, x);
    }
    if (stages != nullptr) stages->push_back(x);
  }
  dp.conv(x, head_conv_, half);
  FloatMatrix pooled(count, half.values.cols()), hidden, normed, logits;
  for (int n = 0; n < count; ++n)
    pooled.row(n) = half.values.middleRows(n * half.pixels(), half.pixels()).colwise().mean();
  dp.linear(head_fc1_layer_, pooled, head_fc1_, hidden);
  layer_norm(hidden, head_norm_, card_.norm_eps, normed);
  hardswish(normed);
  dp.linear(head_fc2_layer_, normed, head_fc2_, logits);
  return logits;
}

}  // namespace vitdse::eval

// Workload: per-layer counts under token and FFN2 pruning.
#include "vitdse/model/workload.hpp"

#include <algorithm>
#include <cmath>

#include "vitdse/core/error.hpp"

namespace vitdse::model {

std::string to_string(OpKind kind) {
  switch (kind) {
    case OpKind::linear:
      return "linear";
    case OpKind::conv:
      return "conv";
    case OpKind::matmul:
      return "matmul";
    case OpKind::norm:
      return "norm";
    case OpKind::softmax:
      return "softmax";
    case OpKind::activation:
      return "activation";
    case OpKind::pool:
      return "pool";
    case OpKind::elementwise:
      return "elementwise";
  }
  return "?";
}

Layer make_layer(std::string name, OpKind kind, int block, std::int64_t groups, std::int64_t m, std::int64_t k,
                 std::int64_t n, std::int64_t params) {
  Layer l;
  l.name = std::move(name);
  l.kind = kind;
  l.block = block;
  l.groups = groups;
  l.m = m;
  l.k = k;
  l.n = n;
  l.params = params;
  l.weighted = kind == OpKind::linear || kind == OpKind::conv;
  if (l.weighted || kind == OpKind::matmul)
    l.fields = kMult | kAbits | (l.weighted ? kWbits | kWquant | kTransform : 0);
  return l;
}

Workload::Workload(ModelCard card) : card_(std::move(card)) {
  layers_ = card_.family == Family::vit ? build_vit_layers(card_) : build_efficientvit_layers(card_);
  full_tokens_ = card_.family == Family::vit ? card_.tokens() : 0;
  blocks_ = card_.block_count();
}

Workload::Workload(ModelCard card, std::vector<Layer> layers)
    : card_(std::move(card)), layers_(std::move(layers)), from_graph_(true) {
  for (const auto& l : layers_) blocks_ = std::max(blocks_, l.block + 1);
}

int Workload::find(const std::string& name) const {
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::int64_t Workload::params() const {
  std::int64_t total = 0;
  for (const auto& l : layers_) total += l.params;
  return total;
}

double Workload::macs() const {
  const auto schedule = token_schedule({});
  double total = 0;
  for (std::size_t i = 0; i < layers_.size(); ++i) total += counts(i, tokens_for(i, schedule), 1.0).macs;
  return total;
}

std::int64_t Workload::ffn2_kept(std::int64_t hidden, double prune) {
  // The small epsilon keeps ceil() from rounding 0.7 * 10 = 7.000000000000001 up to 8.
  return static_cast<std::int64_t>(std::ceil((1.0 - prune) * static_cast<double>(hidden) - 1e-9));
}

std::vector<std::int64_t> Workload::token_schedule(std::span<const double> keep_after_block) const {
  std::vector<std::int64_t> tokens(static_cast<std::size_t>(block_count()) + 1, full_tokens_);
  for (std::size_t b = 0; b + 1 < tokens.size(); ++b) {
    const double keep = b < keep_after_block.size() ? keep_after_block[b] : 1.0;
    const auto patches = tokens[b] - 1;
    tokens[b + 1] =
        keep >= 1.0 ? tokens[b] : 1 + static_cast<std::int64_t>(std::ceil(keep * static_cast<double>(patches) - 1e-9));
  }
  return tokens;
}

std::int64_t Workload::tokens_for(std::size_t i, std::span<const std::int64_t> schedule) const {
  const Layer& layer = layers_[i];
  if (layer.block >= 0) return schedule[static_cast<std::size_t>(layer.block)];
  return i == 0 ? schedule.front() : schedule.back();
}

LayerCounts Workload::counts(std::size_t i, std::int64_t tokens, double ffn2_keep) const {
  const Layer& layer = layers_[i];
  LayerCounts c;
  c.groups = layer.groups;
  c.m = (layer.token_axes & kTokM) != 0 ? tokens : layer.m;
  c.k = (layer.token_axes & kTokK) != 0 ? tokens : layer.k;
  c.n = (layer.token_axes & kTokN) != 0 ? tokens : layer.n;
  if (ffn2_keep < 1.0 && c.k > 0) c.k = ffn2_kept(c.k, 1.0 - ffn2_keep);
  const double g = static_cast<double>(c.groups);
  const double rows = g * static_cast<double>(c.m);
  c.elements = rows * static_cast<double>(c.n);
  c.macs = c.elements * static_cast<double>(c.k);
  c.stored_k = c.k;
  c.weight_elems = layer.weighted ? c.groups * c.k * c.n : 0;
  c.nonlinear.exp = layer.per_element.exp * c.elements + layer.per_row.exp * rows;
  c.nonlinear.erf = layer.per_element.erf * c.elements + layer.per_row.erf * rows;
  c.nonlinear.div = layer.per_element.div * c.elements + layer.per_row.div * rows;
  c.nonlinear.sqrt = layer.per_element.sqrt * c.elements + layer.per_row.sqrt * rows;
  return c;
}

}  // namespace vitdse::model

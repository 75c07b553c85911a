// ViT weights: the timm key layout, loading with shape checks, random initialisation, saving.
#include "vitdse/eval/vit_weights.hpp"

#include <map>
#include <random>
#include <set>
#include <string>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/model/safetensors.hpp"
#include "weight_file.hpp"

namespace vitdse::eval {

namespace {

/// One tensor of the timm state dict and the storage it fills: `count` floats at `data`,
/// C-contiguous in timm's `shape` (each of our matrices has the same memory layout).
struct Slot {
  std::string name;
  std::vector<std::int64_t> shape;
  float* data = nullptr;
  /// How random_vit_weights fills it.
  enum class Init { normal, zero, one } init = Init::normal;

  [[nodiscard]] std::int64_t count() const {
    std::int64_t n = 1;
    for (const auto d : shape) n *= d;
    return n;
  }
};

void size_linear(Linear& l, int out, int in) {
  l.weight.setZero(out, in);
  l.bias.setZero(out);
}

void size_norm(Norm& n, int dim) {
  n.gamma.setOnes(dim);
  n.beta.setZero(dim);
}

/// Sizes every tensor for the card (zeros; LayerNorm scales one).
void size_for(VitWeights& w, const model::ModelCard& card) {
  const int d = card.embed_dim, hidden = card.mlp_hidden(), p = card.patch_size;
  size_linear(w.patch_embed, d, card.in_chans * p * p);
  w.cls_token.setZero(d);
  w.pos_embed.setZero(card.tokens(), d);
  w.blocks.resize(static_cast<std::size_t>(card.depth));
  for (auto& b : w.blocks) {
    size_norm(b.norm1, d);
    size_linear(b.qkv, 3 * d, d);
    size_linear(b.proj, d, d);
    size_norm(b.norm2, d);
    size_linear(b.fc1, hidden, d);
    size_linear(b.fc2, d, hidden);
  }
  size_norm(w.norm, d);
  size_linear(w.head, card.num_classes, d);
}

/// The slots of sized weights, in the file's terms.
std::vector<Slot> list_slots(VitWeights& w, const model::ModelCard& card) {
  const int d = card.embed_dim, p = card.patch_size;
  using Init = Slot::Init;
  std::vector<Slot> slots{{"cls_token", {1, 1, d}, w.cls_token.data()},
                          {"pos_embed", {1, card.tokens(), d}, w.pos_embed.data()},
                          {"patch_embed.proj.weight", {d, card.in_chans, p, p}, w.patch_embed.weight.data()},
                          {"patch_embed.proj.bias", {d}, w.patch_embed.bias.data(), Init::zero}};
  const auto add_linear = [&slots](const std::string& name, Linear& l, bool has_bias) {
    slots.push_back({name + ".weight", {l.weight.rows(), l.weight.cols()}, l.weight.data()});
    if (has_bias) slots.push_back({name + ".bias", {l.bias.size()}, l.bias.data(), Init::zero});
  };
  const auto add_norm = [&slots](const std::string& name, Norm& n) {
    slots.push_back({name + ".weight", {n.gamma.size()}, n.gamma.data(), Init::one});
    slots.push_back({name + ".bias", {n.beta.size()}, n.beta.data(), Init::zero});
  };
  for (int i = 0; i < card.depth; ++i) {
    auto& b = w.blocks[static_cast<std::size_t>(i)];
    const std::string prefix = "blocks." + std::to_string(i) + ".";
    add_norm(prefix + "norm1", b.norm1);
    add_linear(prefix + "attn.qkv", b.qkv, card.qkv_bias);
    add_linear(prefix + "attn.proj", b.proj, true);
    add_norm(prefix + "norm2", b.norm2);
    add_linear(prefix + "mlp.fc1", b.fc1, true);
    add_linear(prefix + "mlp.fc2", b.fc2, true);
  }
  add_norm("norm", w.norm);
  add_linear("head", w.head, true);
  return slots;
}

}  // namespace

std::int64_t VitWeights::parameter_count() const {
  std::int64_t n = patch_embed.weight.size() + patch_embed.bias.size() + cls_token.size() + pos_embed.size() +
                   2 * norm.gamma.size() + head.weight.size() + head.bias.size();
  for (const auto& b : blocks) {
    n += 2 * b.norm1.gamma.size() + 2 * b.norm2.gamma.size();
    for (const Linear* l : {&b.qkv, &b.proj, &b.fc1, &b.fc2}) n += l->weight.size() + l->bias.size();
  }
  return n;
}

void check_runnable(const model::ModelCard& card) {
  if (card.family != model::Family::vit) {
    throw Error("model '" + card.name + "' is of family '" + model::to_string(card.family) +
                "'; the evaluator runs family 'vit' models only (the workload and cost model cover the others)");
  }
}

VitWeights load_vit_weights(const model::ModelCard& card, const std::filesystem::path& path) {
  check_runnable(card);
  VitWeights w;
  size_for(w, card);
  std::vector<detail::TensorSlot> targets;
  for (const auto& slot : list_slots(w, card)) targets.push_back({slot.name, slot.shape, slot.data});
  detail::read_weight_file(path, card.name, targets);
  return w;
}

VitWeights load_vit_weights(const model::ModelCard& card) { return load_vit_weights(card, card_weights_file(card)); }

std::filesystem::path card_weights_file(const model::ModelCard& card) {
  if (!card.weights) {
    throw Error("model '" + card.name + "' names no weights file; add 'weights:' to " + card.source.string() +
                " or train them with 'vitdse train'");
  }
  if (!std::filesystem::exists(*card.weights)) {
    throw Error("weights file " + card.weights->string() + " of model '" + card.name +
                "' does not exist; train it with 'vitdse train --model " + card.name + "'");
  }
  return *card.weights;
}

VitWeights random_vit_weights(const model::ModelCard& card, std::uint64_t seed) {
  check_runnable(card);
  VitWeights w;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  size_for(w, card);
  for (const auto& slot : list_slots(w, card)) {
    for (std::int64_t i = 0; i < slot.count(); ++i) {
      slot.data[i] = slot.init == Slot::Init::normal ? normal(rng) : slot.init == Slot::Init::one ? 1.0f : 0.0f;
    }
  }
  return w;
}

VitWeights zero_vit_weights(const model::ModelCard& card) {
  check_runnable(card);
  VitWeights w;
  size_for(w, card);
  for (const auto& slot : list_slots(w, card)) std::fill(slot.data, slot.data + slot.count(), 0.0f);
  return w;
}

std::vector<WeightTensor> weight_tensors(VitWeights& weights, const model::ModelCard& card) {
  std::vector<WeightTensor> out;
  for (auto& slot : list_slots(weights, card)) {
    const std::span<float> values(slot.data, static_cast<std::size_t>(slot.count()));
    out.push_back({std::move(slot.name), std::move(slot.shape), values});
  }
  return out;
}

void save_vit_weights(const model::ModelCard& card, const VitWeights& weights, const std::filesystem::path& path,
                      const std::map<std::string, std::string>& metadata) {
  VitWeights copy = weights;  // the views may write; this model is ours
  save_weight_tensors(weight_tensors(copy, card), path, metadata);
}

void save_weight_tensors(const std::vector<WeightTensor>& tensors, const std::filesystem::path& path,
                         const std::map<std::string, std::string>& metadata) {
  std::map<std::string, model::Tensor> out;
  for (const auto& t : tensors)
    out[t.name] = model::Tensor{t.shape, std::vector<float>(t.values.begin(), t.values.end())};
  model::write_safetensors(path, out, metadata);
}

}  // namespace vitdse::eval

// The workload: a model's per-layer list of operations, with shapes and counts (timm names).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vitdse/model/card.hpp"

namespace vitdse::model {

enum class OpKind { linear, conv, matmul, norm, softmax, activation, pool, elementwise };
std::string to_string(OpKind kind);

/// Design fields a layer accepts (DESIGN.md "Design file"); a bit set.
enum Field : std::uint16_t {
  kMult = 1,
  kWbits = 2,
  kAbits = 4,
  kGelu = 8,
  kSoftmax = 16,
  kTokenKeep = 32,
  kFfn2Prune = 64,
  kWquant = 128,     ///< weight quantiser granularity (layers with weights)
  kTransform = 256,  ///< Trio-ViT input transforms (layers with weights)
  kFfn2Mode = 512,   ///< dynamic or static FFN2 pruning (fc2)
  kDivide = 1024,    ///< linear attention's divider (attn.qkv_out)
  kAllFields = 2047
};

/// Which GEMM dimensions follow the block's token count (bit set over m, k, n).
enum TokenAxis : std::uint8_t { kTokM = 1, kTokK = 2, kTokN = 4 };

/// Nonlinear element operations, per element of the layer's output.
struct Nonlinear {
  double exp = 0, erf = 0, div = 0, sqrt = 0;
};

/// One layer at full token count. Its GEMM view is `groups` products [m x k] * [k x n]
/// (heads, or depthwise channels); nonlinear layers have k == 0 and m x n elements.
struct Layer {
  std::string name;
  OpKind kind = OpKind::linear;
  int block = -1;  ///< index for design `blocks:`; -1 outside blocks
  std::int64_t groups = 1, m = 0, k = 0, n = 0;
  std::uint8_t token_axes = 0;  ///< TokenAxis bits (vit family only)
  bool weighted = false;        ///< the [k x n] operand is a weight tensor
  std::int64_t params = 0;      ///< weights + biases (+ cls/pos embeddings on patch_embed)
  Nonlinear per_element;        ///< nonlinear ops per output element
  Nonlinear per_row;            ///< nonlinear ops per output row (e.g. LayerNorm's sqrt)
  std::uint16_t fields = 0;     ///< Field bits this layer accepts
};

/// A layer from its GEMM view. Linear, conv and matmul layers accept `mult` and `abits`, and
/// `wbits`, `wquant` and `transform` when their [k x n] operand is a weight tensor (linear, conv).
Layer make_layer(std::string name, OpKind kind, int block, std::int64_t groups, std::int64_t m, std::int64_t k,
                 std::int64_t n, std::int64_t params);

/// Counts for one layer after the design's token pruning and FFN2 pruning.
struct LayerCounts {
  std::int64_t groups = 1, m = 0, k = 0, n = 0;  ///< pruned GEMM view
  double macs = 0;
  double elements = 0;            ///< output elements (groups * m * n)
  Nonlinear nonlinear;            ///< totals
  std::int64_t weight_elems = 0;  ///< weight elements stored and fetched
  /// Dynamic FFN2 pruning (fc2 only): each token skips this share of the hidden units, its own
  /// ones, so `k` counts a token's kept units while every weight stays stored (`weight_elems`)
  /// over `stored_k` rows, and a selector ranks `selected` hidden values. 0 otherwise.
  double dynamic_skip = 0;
  std::int64_t stored_k = 0;  ///< rows of the stored [k x n] operand: `k` unless dynamic
  double selected = 0;        ///< hidden values ranked: groups * m * stored_k when dynamic
};

class Workload {
 public:
  explicit Workload(ModelCard card);
  /// A workload read from a model graph (an ONNX file): its layers as they are, at the graph's
  /// own token count. `card` names the model and gives its input and classes; blocks are counted
  /// from the layers' `block` indices.
  Workload(ModelCard card, std::vector<Layer> layers);

  [[nodiscard]] const ModelCard& card() const { return card_; }
  [[nodiscard]] const std::vector<Layer>& layers() const { return layers_; }
  [[nodiscard]] int block_count() const { return blocks_; }
  /// True for a workload read from a graph rather than built from a card's shape.
  [[nodiscard]] bool from_graph() const { return from_graph_; }
  /// Index of a layer by name, or -1.
  [[nodiscard]] int find(const std::string& name) const;
  [[nodiscard]] std::int64_t params() const;
  /// MACs of one image without pruning, attention's products included.
  [[nodiscard]] double macs() const;

  /// Token keep ratio after each block -> tokens entering each block:
  /// t[b+1] = 1 + ceil(keep[b] * (t[b] - 1)), the class token always kept.
  [[nodiscard]] std::vector<std::int64_t> token_schedule(std::span<const double> keep_after_block) const;
  /// Counts of layer `i` given the tokens entering its block and its FFN2 keep fraction.
  [[nodiscard]] LayerCounts counts(std::size_t i, std::int64_t tokens, double ffn2_keep) const;
  /// Tokens a layer sees given the schedule (layers after the last block see the final count).
  [[nodiscard]] std::int64_t tokens_for(std::size_t i, std::span<const std::int64_t> schedule) const;

  /// Hidden units kept by FFN2 pruning: ceil((1 - prune) * hidden).
  static std::int64_t ffn2_kept(std::int64_t hidden, double prune);

 private:
  ModelCard card_;
  std::vector<Layer> layers_;
  std::int64_t full_tokens_ = 0;
  int blocks_ = 0;
  bool from_graph_ = false;
};

// Builders per family (one file each).
std::vector<Layer> build_vit_layers(const ModelCard& card);
std::vector<Layer> build_efficientvit_layers(const ModelCard& card);

}  // namespace vitdse::model

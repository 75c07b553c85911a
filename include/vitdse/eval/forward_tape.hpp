// What a forward pass records so that it can be differentiated: each layer's inputs and the
// statistics its backward pass needs, for one chunk of images.
#pragma once

#include <vector>

#include "vitdse/core/eigen.hpp"
#include "vitdse/eval/float_ops.hpp"

namespace vitdse::eval {

/// One transformer block's record. Rows are tokens of `count` images, image-major.
struct BlockTape {
  int tokens = 0;   ///< tokens per image entering the block
  FloatMatrix x;    ///< the residual stream entering
  NormStats norm1;  ///< norm1's statistics of `x`
  FloatMatrix h1;   ///< norm1's output, the qkv input
  FloatMatrix qkv;  ///< [rows x 3D]
  /// Per [image·heads + head]: softmax attention's probabilities (tokens x tokens), or linear
  /// attention's relu(Q)·kv (tokens x hd+1: numerators, then the denominator without eps).
  std::vector<FloatMatrix> probs;
  std::vector<FloatMatrix> kv;  ///< linear attention only: relu(K)^T [V 1] per head, hd x hd+1
  FloatMatrix mixed;            ///< the heads' outputs side by side, the proj input
  FloatMatrix x_mid;            ///< the residual stream after attention
  NormStats norm2;
  FloatMatrix h2;       ///< norm2's output, the fc1 input
  FloatMatrix pre_act;  ///< fc1's output
  FloatMatrix hidden;   ///< the fc2 input: activated, then FFN2-pruned
  bool ffn2_pruned = false;
  std::vector<int> kept_rows;  ///< after token pruning, each kept row's source row; empty: none pruned
};

/// A whole forward pass's record.
struct ForwardTape {
  int count = 0;                  ///< images
  FloatMatrix patches;            ///< the patch_embed input, [count·patches x C·p·p]
  std::vector<BlockTape> blocks;  ///< one per block
  FloatMatrix cls;                ///< the class tokens entering the final norm
  NormStats norm;
  FloatMatrix pooled;  ///< the final norm's output, the head input
};

}  // namespace vitdse::eval

// Eigen aliases shared by the areas that hold tensors.
#pragma once

#include <Eigen/Dense>

namespace vitdse {

/// A row-major float matrix: weights are [out x in] as PyTorch stores them, activations are
/// [tokens x features].
using FloatMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// A row of floats: a bias, a LayerNorm scale, a class token.
using FloatRow = Eigen::Matrix<float, 1, Eigen::Dynamic>;

}  // namespace vitdse

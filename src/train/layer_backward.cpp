// Linear, LayerNorm and ReLU linear attention, backwards.
#include "layer_backward.hpp"

namespace vitdse::train::detail {

void linear_backward(const FloatMatrix& x, const eval::Linear& layer, const FloatMatrix& dy, eval::Linear& grad,
                     FloatMatrix* dx) {
  grad.weight.noalias() += dy.transpose() * x;
  grad.bias += dy.colwise().sum();
  if (dx != nullptr) {
    dx->resize(dy.rows(), layer.weight.cols());
    dx->noalias() = dy * layer.weight;
  }
}

void layer_norm_backward(const FloatMatrix& x, const eval::NormStats& stats, const eval::Norm& norm,
                         const FloatMatrix& dy, eval::Norm& grad, FloatMatrix& dx) {
  dx.resize(x.rows(), x.cols());
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    const Eigen::ArrayXf xhat = ((x.row(r).array() - stats.mean(r)) * stats.inv_std(r)).transpose();
    const Eigen::ArrayXf dyr = dy.row(r).array().transpose();
    grad.gamma.array() += (dyr * xhat).transpose();
    grad.beta += dy.row(r);
    const Eigen::ArrayXf g = dyr * norm.gamma.array().transpose();
    dx.row(r) = (stats.inv_std(r) * (g - g.mean() - xhat * (g * xhat).mean())).transpose();
  }
}

void relu_linear_attention_backward(const ConstBlock& q, const ConstBlock& k, const ConstBlock& v,
                                    const FloatMatrix& kv, const FloatMatrix& o, const ConstBlock& dout, float eps,
                                    Block dq, Block dk, Block dv) {
  const Eigen::Index n = q.rows(), d = q.cols();
  FloatMatrix d_o(n, d + 1), v1(n, d + 1);
  v1.leftCols(d) = v;
  v1.col(d).setOnes();
  const Eigen::ArrayXf den = o.col(d).array() + eps;
  d_o.leftCols(d) = (dout.array().colwise() / den).matrix();
  d_o.col(d) = -((dout.array() * o.leftCols(d).array()).rowwise().sum() / den.square()).matrix();
  const FloatMatrix q_relu = q.cwiseMax(0.0f), k_relu = k.cwiseMax(0.0f);
  const FloatMatrix dkv = q_relu.transpose() * d_o;
  dq = (q.array() > 0.0f).select(d_o * kv.transpose(), 0.0f);
  dk = (k.array() > 0.0f).select(v1 * dkv.transpose(), 0.0f);
  dv.noalias() = k_relu * dkv.leftCols(d);
}

}  // namespace vitdse::train::detail

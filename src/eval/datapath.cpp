// The float datapath: timm's arithmetic in float32 on Eigen.
#include "vitdse/eval/datapath.hpp"

#include "vitdse/eval/float_ops.hpp"

namespace vitdse::eval {

std::string site_name(Site site) {
  const std::string block = "blocks." + std::to_string(site.block) + ".";
  switch (site.op) {
    case Op::patch_embed:
      return "patch_embed";
    case Op::qkv:
      return block + "attn.qkv";
    case Op::qk:
      return block + "attn.qk";
    case Op::av:
      return block + "attn.av";
    case Op::kv:
      return block + "attn.kv";
    case Op::qkv_out:
      return block + "attn.qkv_out";
    case Op::proj:
      return block + "attn.proj";
    case Op::fc1:
      return block + "mlp.fc1";
    case Op::fc2:
      return block + "mlp.fc2";
    case Op::head:
      return "head";
  }
  return "head";
}

void Datapath::linear(Site /*site*/, const FloatMatrix& x, const Linear& layer, FloatMatrix& out) const {
  eval::linear(x, layer, out);
}

void Datapath::scores(int /*block*/, MatrixRef q, MatrixRef k, FloatMatrix& out) const {
  out.resize(q.rows(), k.rows());
  out.noalias() = q * k.transpose();
}

void Datapath::mix(int /*block*/, const FloatMatrix& p, MatrixRef v, MutableMatrixRef out) const {
  out.noalias() = p * v;
}

void Datapath::matmul(Site /*site*/, MatrixRef a, MatrixRef b, FloatMatrix& out) const {
  out.resize(a.rows(), b.cols());
  out.noalias() = a * b;
}

void Datapath::softmax(int /*block*/, FloatMatrix& scores) const { softmax_rows(scores); }

void Datapath::activation(int /*block*/, FloatMatrix& hidden) const {
  if (act == model::Activation::relu) {
    hidden = hidden.cwiseMax(0.0f);
  } else {
    gelu_erf(hidden);
  }
}

}  // namespace vitdse::eval

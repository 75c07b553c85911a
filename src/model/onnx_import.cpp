// A timm ViT's card and weights, read back from its ONNX export by the graph's structure.
#include "vitdse/model/onnx_import.hpp"

#include <algorithm>
#include <sstream>

#include "onnx_import_detail.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::model {

namespace {

using detail::Product;

class Importer {
 public:
  Importer(const OnnxGraph& g, const ImportOptions& o) : g_(g), o_(o) {}

  ImportedModel run() {
    collect();
    ImportedModel m;
    ModelCard& c = m.card;
    c.name = o_.name.empty() ? g_.path().stem().string() : o_.name;
    c.family = Family::vit;
    read_patch_embed(m);
    const int depth = static_cast<int>(norms_.size() - 1) / 2;
    if (norms_.size() < 3 || norms_.size() % 2 == 0)
      fail("found " + std::to_string(norms_.size()) + " LayerNormalization nodes; a ViT of depth d has 2d + 1");
    if (products_.size() != static_cast<std::size_t>(4 * depth + 1))
      fail("found " + std::to_string(products_.size()) + " products by a weight; a ViT of depth " +
           std::to_string(depth) + " has " + std::to_string(4 * depth + 1) + " (qkv, proj, fc1, fc2 per block, head)");
    if (softmaxes_ != depth)
      fail("found " + std::to_string(softmaxes_) + " Softmax nodes for " + std::to_string(depth) +
           " blocks; only softmax attention imports");
    c.depth = depth;
    c.embed_dim = static_cast<int>(m.weights.at("patch_embed.proj.weight").shape[0]);
    for (int b = 0; b < depth; ++b) {
      const std::string pre = "blocks." + std::to_string(b) + ".";
      put_norm(m, pre + "norm1", norms_[static_cast<std::size_t>(2 * b)]);
      put_norm(m, pre + "norm2", norms_[static_cast<std::size_t>(2 * b + 1)]);
      const char* names[] = {"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"};
      for (int j = 0; j < 4; ++j)
        put_product(m, pre + names[j], products_[static_cast<std::size_t>(4 * b + j)], j != 0);
    }
    put_norm(m, "norm", norms_.back());
    put_product(m, "head", products_.back(), true);
    c.qkv_bias = m.weights.count("blocks.0.attn.qkv.bias") != 0;
    c.num_classes = static_cast<int>(m.weights.at("head.weight").shape[0]);
    const auto hidden = m.weights.at("blocks.0.mlp.fc1.weight").shape[0];
    c.mlp_ratio = static_cast<double>(hidden) / c.embed_dim;
    c.num_heads = heads();
    c.act = gelu_ ? Activation::gelu : relu_ ? Activation::relu : fail_act();
    read_tokens(m);
    detail::apply_data_options(g_, o_, c);
    check_shapes(m);
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(g_.path().string() + ": not a timm ViT export: " + what);
  }
  Activation fail_act() const { fail("no GELU (Gelu or Erf) and no Relu"); }

  const OnnxNode& node(int i) const { return g_.nodes()[static_cast<std::size_t>(i)]; }

  // The nodes that matter, in graph (topological) order.
  void collect() {
    for (std::size_t i = 0; i < g_.nodes().size(); ++i) {
      const OnnxNode& n = g_.nodes()[i];
      const int at = static_cast<int>(i);
      if (n.op_type == "Conv") convs_.push_back(at);
      if (n.op_type == "LayerNormalization") norms_.push_back(at);
      if (n.op_type == "Softmax") ++softmaxes_;
      if (n.op_type == "Erf" || n.op_type == "Gelu") gelu_ = true;
      if (n.op_type == "Relu") relu_ = true;
      if ((n.op_type == "MatMul" || n.op_type == "Gemm") && n.inputs.size() >= 2 && g_.constant(n.inputs[1]))
        products_.push_back(detail::read_product(g_, at));
      else if (n.op_type == "MatMul" && attention_ < 0)
        attention_ = at;
    }
  }

  void put_product(ImportedModel& m, const std::string& name, const Product& p, bool needs_bias) const {
    if (needs_bias && p.bias.data.empty()) fail("'" + node(p.node).name + "' (" + name + ") has no bias");
    m.weights[name + ".weight"] = p.weight;
    if (!p.bias.data.empty()) m.weights[name + ".bias"] = p.bias;
  }

  void put_norm(ImportedModel& m, const std::string& name, int i) {
    const OnnxNode& n = node(i);
    if (n.inputs.size() < 3 || !g_.constant(n.inputs[1]) || !g_.constant(n.inputs[2]))
      fail("LayerNormalization '" + n.name + "' has no constant scale and bias");
    m.weights[name + ".weight"] = g_.read_floats(n.inputs[1]);
    m.weights[name + ".bias"] = g_.read_floats(n.inputs[2]);
    const double rounded = detail::read_epsilon(n, 1e-5);
    if (norm_seen_ && rounded != m.card.norm_eps) fail("its LayerNorms have different epsilons");
    m.card.norm_eps = rounded;
    norm_seen_ = true;
  }

  void read_patch_embed(ImportedModel& m) {
    if (convs_.size() != 1)
      fail("found " + std::to_string(convs_.size()) + " Conv nodes; a ViT has one, the patch embedding");
    const OnnxNode& n = node(convs_[0]);
    if (n.inputs.size() < 3 || !g_.constant(n.inputs[1]) || !g_.constant(n.inputs[2]))
      fail("the patch embedding Conv has no constant weight and bias");
    Tensor w = g_.read_floats(n.inputs[1]);
    if (w.shape.size() != 4 || w.shape[2] != w.shape[3]) fail("the patch embedding's kernel is not square");
    const auto strides =
        n.int_lists.count("strides") != 0 ? n.int_lists.at("strides") : std::vector<std::int64_t>{1, 1};
    if (strides.size() != 2 || strides[0] != w.shape[2] || strides[1] != w.shape[3])
      fail("the patch embedding's stride is not its kernel size");
    const auto in = g_.inputs().empty() ? std::nullopt : g_.shape(g_.inputs()[0]);
    if (!in || in->size() != 4 || (*in)[2] != (*in)[3] || (*in)[2] <= 0 || (*in)[2] > 65536)
      fail("the input is not a batch of square images [B, C, H, H] of fixed size");
    if (w.shape[2] < 1 || (*in)[2] % w.shape[2] != 0 || w.shape[1] < 1 || w.shape[1] > 64 || w.shape[0] < 1)
      fail("the patch embedding's kernel does not tile the image");
    m.card.img_size = static_cast<int>((*in)[2]);
    m.card.in_chans = static_cast<int>(w.shape[1]);
    m.card.patch_size = static_cast<int>(w.shape[2]);
    m.weights["patch_embed.proj.weight"] = std::move(w);
    m.weights["patch_embed.proj.bias"] = g_.read_floats(n.inputs[2]);
  }

  // The heads: attention's first product of two activations, q [B, heads, tokens, head_dim].
  int heads() const {
    if (attention_ < 0) fail("no attention product (MatMul of two activations)");
    const auto a = g_.shape(node(attention_).inputs[0]);
    if (!a || a->size() != 4 || (*a)[1] <= 0)
      fail("the attention product's operand is not [B, heads, tokens, head_dim]");
    return static_cast<int>((*a)[1]);
  }

  // The class token [1, 1, D] and the position embedding [1, tokens, D]: the graph's only
  // constants of those shapes.
  void read_tokens(ImportedModel& m) const {
    const std::int64_t d = m.card.embed_dim, tokens = m.card.tokens();
    std::vector<std::string> cls, pos;
    for (const auto& n : g_.nodes()) {
      for (const auto& v : n.inputs) {
        const OnnxConstant* k = v.empty() ? nullptr : g_.constant(v);
        if (k == nullptr || k->data_type != 1 || k->dims.size() != 3 || k->dims[0] != 1 || k->dims[2] != d) continue;
        auto* list = k->dims[1] == 1 ? &cls : k->dims[1] == tokens ? &pos : nullptr;
        if (list != nullptr && std::find(list->begin(), list->end(), v) == list->end()) list->push_back(v);
      }
    }
    if (cls.size() != 1 || pos.size() != 1)
      fail("expected one class token [1, 1, " + std::to_string(d) + "] and one position embedding [1, " +
           std::to_string(tokens) + ", " + std::to_string(d) + "], found " + std::to_string(cls.size()) + " and " +
           std::to_string(pos.size()));
    m.weights["cls_token"] = g_.read_floats(cls[0]);
    m.weights["pos_embed"] = g_.read_floats(pos[0]);
  }

  // The card's shape must give exactly these tensors' shapes.
  void check_shapes(const ImportedModel& m) const {
    const ModelCard& c = m.card;
    const std::int64_t d = c.embed_dim, hidden = c.mlp_hidden();
    if (d % c.num_heads != 0)
      fail("width " + std::to_string(d) + " is not a multiple of " + std::to_string(c.num_heads) + " heads");
    const auto expect = [&](const std::string& name, std::vector<std::int64_t> shape) {
      const auto it = m.weights.find(name);
      if (it == m.weights.end()) fail("no tensor for " + name);
      if (it->second.shape != shape) fail(name + " has an unexpected shape for width " + std::to_string(d));
    };
    for (int b = 0; b < c.depth; ++b) {
      const std::string pre = "blocks." + std::to_string(b) + ".";
      expect(pre + "attn.qkv.weight", {3 * d, d});
      expect(pre + "attn.proj.weight", {d, d});
      expect(pre + "mlp.fc1.weight", {hidden, d});
      expect(pre + "mlp.fc2.weight", {d, hidden});
      expect(pre + "norm1.weight", {d});
      expect(pre + "norm2.weight", {d});
    }
    expect("head.weight", {c.num_classes, d});
  }

  const OnnxGraph& g_;
  const ImportOptions& o_;
  std::vector<int> convs_, norms_;
  std::vector<Product> products_;
  int softmaxes_ = 0, attention_ = -1;
  bool gelu_ = false, relu_ = false;
  bool norm_seen_ = false;
};

}  // namespace

namespace detail {

namespace {

Tensor transposed(const Tensor& t) {
  const auto rows = t.shape[0], cols = t.shape[1];
  Tensor out{{cols, rows}, std::vector<float>(t.data.size())};
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t c = 0; c < cols; ++c)
      out.data[static_cast<std::size_t>(c * rows + r)] = t.data[static_cast<std::size_t>(r * cols + c)];
  }
  return out;
}

}  // namespace

Product read_product(const OnnxGraph& g, int i) {
  const OnnxNode& n = g.nodes()[static_cast<std::size_t>(i)];
  Product p;
  p.node = i;
  const Tensor b = g.read_floats(n.inputs[1]);
  if (b.shape.size() != 2) throw Error(g.path().string() + ": the weight of '" + n.name + "' is not a matrix");
  const bool trans_b = n.op_type == "Gemm" && n.int_attr("transB", 0) != 0;
  p.weight = trans_b ? b : transposed(b);  // ONNX multiplies by [in, out]; timm stores [out, in]
  if (n.op_type == "Gemm" && n.inputs.size() > 2 && !n.inputs[2].empty()) {
    p.bias = g.read_floats(n.inputs[2]);
  } else if (const auto [add, bias] = g.bias_after(n.outputs[0], p.weight.shape[0]); add >= 0) {
    p.bias = g.read_floats(bias);
  }
  if (!p.bias.data.empty()) p.bias.shape = {p.weight.shape[0]};
  return p;
}

void apply_data_options(const OnnxGraph& g, const ImportOptions& o, ModelCard& c) {
  c.mean = o.mean;
  c.std = o.std;
  if (c.mean.empty() && c.std.empty() && c.in_chans == 3) {
    c.mean = {0.485, 0.456, 0.406};  // timm's IMAGENET_DEFAULT_MEAN and _STD
    c.std = {0.229, 0.224, 0.225};
  }
  if (c.mean.size() != static_cast<std::size_t>(c.in_chans) || c.std.size() != c.mean.size())
    throw usage_error(g.path().string() + ": the model takes " + std::to_string(c.in_chans) +
                      " channel(s); give --mean and --std with one value each (ONNX does not record them)");
  c.crop_pct = o.crop_pct;
  c.interpolation = o.interpolation;
}

double read_epsilon(const OnnxNode& n, double fallback) {
  const double eps = n.floats.count("epsilon") != 0 ? n.floats.at("epsilon") : fallback;
  std::ostringstream digits;
  digits.precision(6);
  digits << eps;
  return std::stod(digits.str());
}

}  // namespace detail

ImportedModel import_onnx_vit(const OnnxGraph& graph, const ImportOptions& options) {
  return Importer(graph, options).run();
}

std::string ImportedModel::card_text(const std::string& weights_file, const std::string& source) const {
  const ModelCard& c = card;
  std::ostringstream y;
  y.precision(10);
  const auto list = [&y](const auto& v) {
    y << '[';
    for (std::size_t i = 0; i < v.size(); ++i) y << (i ? ", " : "") << v[i];
    y << "]\n";
  };
  const bool vit = c.family == Family::vit;
  y << "# Imported by 'vitdse import' from " << source
    << (vit ? " (timm ViT layout).\n" : " (timm EfficientViT layout).\n") << "version: 1\nname: " << c.name
    << "\nfamily: " << to_string(c.family) << "\nimg_size: " << c.img_size << "\nin_chans: " << c.in_chans
    << "\nnum_classes: " << c.num_classes << '\n';
  if (vit) {
    y << "patch_size: " << c.patch_size << "\nembed_dim: " << c.embed_dim << "\ndepth: " << c.depth
      << "\nnum_heads: " << c.num_heads << "\nmlp_ratio: " << c.mlp_ratio
      << "\nqkv_bias: " << (c.qkv_bias ? "true" : "false") << "\nact: " << to_string(c.act) << "\nattention: softmax\n";
  } else {
    const EfficientVitShape& s = *c.efficientvit;
    y << "stem: {width: " << s.stem_width << ", depth: " << s.stem_depth << "}\nstages:\n";
    for (const Stage& st : s.stages) {
      y << "  - {width: " << st.width << ", depth: " << st.depth
        << ", block: " << (st.block == Stage::Block::attention ? "attention" : "mbconv")
        << ", expand_ratio: " << st.expand_ratio << "}\n";
    }
    y << "head_dim: " << s.head_dim << "\nscales: ";
    list(s.scales);
    y << "head_widths: ";
    list(s.head_widths);
  }
  y << "norm_eps: " << c.norm_eps << "\nmean: ";
  list(c.mean);
  y << "std: ";
  list(c.std);
  y << "crop_pct: " << c.crop_pct
    << "\ninterpolation: " << (c.interpolation == Interpolation::bicubic ? "bicubic" : "bilinear")
    << "\nweights: " << weights_file << '\n';
  return y.str();
}

}  // namespace vitdse::model

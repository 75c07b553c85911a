// A timm EfficientViT's card and weights, read back from its ONNX export by the module names
// torch recorded: the stages from the convolutions' names, the shapes from their weights.
#include <cmath>
#include <map>

#include "onnx_import_detail.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/model/onnx_import.hpp"

namespace vitdse::model {

namespace {

/// One Conv node by a constant weight: timm's module (`stem.in_conv`, `...aggreg.0.0`), its
/// weight [out, in/groups, k, k] and its bias (batch norm folded in by the exporter; may be empty).
struct ExportedConv {
  Tensor weight, bias;
};

class EfficientVitImporter {
 public:
  EfficientVitImporter(const OnnxGraph& g, const ImportOptions& o) : g_(g), o_(o) {}

  ImportedModel run() {
    collect();
    ImportedModel m;
    ModelCard& c = m.card;
    c.name = o_.name.empty() ? g_.path().stem().string() : o_.name;
    c.family = Family::efficientvit;
    c.act = Activation::hswish;
    c.attention = Attention::linear_relu;
    EfficientVitShape s;
    s.scales.clear();  // read from the first EfficientViT block
    const ExportedConv& stem = conv("stem.in_conv");
    s.stem_width = static_cast<int>(stem.weight.shape[0]);
    c.in_chans = static_cast<int>(stem.weight.shape[1]);
    while (convs_.count("stem.res" + std::to_string(s.stem_depth) + ".main.depth_conv") != 0) ++s.stem_depth;
    int in = s.stem_width;
    for (int i = 0; convs_.count(block(i, 0) + ".main.inverted_conv") != 0; ++i) {
      Stage stage;
      stage.block =
          convs_.count(block(i, 1) + ".context_module.main.qkv") != 0 ? Stage::Block::attention : Stage::Block::mbconv;
      int blocks = 0;
      while (convs_.count(block(i, blocks) + ".main.inverted_conv") != 0 ||
             convs_.count(block(i, blocks) + ".context_module.main.qkv") != 0) {
        ++blocks;
      }
      stage.depth = stage.block == Stage::Block::attention ? blocks - 1 : blocks;
      const Tensor& expand = conv(block(i, 0) + ".main.inverted_conv").weight;
      stage.width = static_cast<int>(conv(block(i, 0) + ".main.point_conv").weight.shape[0]);
      stage.expand_ratio = static_cast<double>(expand.shape[0]) / static_cast<double>(in);
      if (expand.shape[1] != in || mbconv_hidden(in, stage.expand_ratio) != expand.shape[0])
        fail(block(i, 0) + " does not expand the previous stage's " + std::to_string(in) + " channels");
      if (stage.block == Stage::Block::attention && s.scales.empty()) read_attention(block(i, 1), s);
      s.stages.push_back(stage);
      in = stage.width;
    }
    if (s.stages.empty()) fail("no stages.0.blocks.0.main.inverted_conv");
    s.head_widths = {static_cast<int>(conv("head.in_conv").weight.shape[0]), 0};
    const detail::Product &fc1 = product("head.classifier.0"), &fc2 = product("head.classifier.4");
    s.head_widths[1] = static_cast<int>(fc1.weight.shape[0]);
    c.num_classes = static_cast<int>(fc2.weight.shape[0]);
    if (!fc1.bias.data.empty()) fail("head.classifier.0 has a bias; timm's has none");
    if (fc2.bias.data.empty()) fail("head.classifier.4 has no bias");
    c.efficientvit = s;
    const auto input = g_.inputs().empty() ? std::nullopt : g_.shape(g_.inputs()[0]);
    if (!input || input->size() != 4 || (*input)[2] != (*input)[3] || (*input)[2] <= 0 || (*input)[2] > 65536)
      fail("the input is not a batch of square images [B, C, H, H] of fixed size");
    c.img_size = static_cast<int>((*input)[2]);
    const OnnxNode* norm = nullptr;
    for (const auto& n : g_.nodes()) {
      if (n.op_type == "LayerNormalization" && n.scope.starts_with("head.classifier.1")) norm = &n;
    }
    if (norm == nullptr || norm->inputs.size() < 3 || !g_.constant(norm->inputs[1]) || !g_.constant(norm->inputs[2]))
      fail("no LayerNormalization with constant scale and bias in head.classifier.1");
    c.norm_eps = detail::read_epsilon(*norm, 1e-5);
    m.weights["head.classifier.0.weight"] = fc1.weight;
    m.weights["head.classifier.1.weight"] = g_.read_floats(norm->inputs[1]);
    m.weights["head.classifier.1.bias"] = g_.read_floats(norm->inputs[2]);
    m.weights["head.classifier.4.weight"] = fc2.weight;
    m.weights["head.classifier.4.bias"] = fc2.bias;
    for (const auto& [module, exported] : convs_) put_conv(m, module, exported);
    detail::apply_data_options(g_, o_, c);
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(g_.path().string() + ": not a timm EfficientViT export: " + what);
  }

  static std::string block(int stage, int j) {
    return "stages." + std::to_string(stage) + ".blocks." + std::to_string(j);
  }

  const ExportedConv& conv(const std::string& module) const {
    const auto it = convs_.find(module);
    if (it == convs_.end()) fail("no convolution " + module);
    return it->second;
  }

  const detail::Product& product(const std::string& module) const {
    const auto it = products_.find(module);
    if (it == products_.end()) fail("no linear layer " + module);
    return it->second;
  }

  // The Conv nodes by module (the Conv2d inside ConvNormAct drops its `.conv`), and the head's products.
  void collect() {
    for (std::size_t i = 0; i < g_.nodes().size(); ++i) {
      const OnnxNode& n = g_.nodes()[i];
      std::string module = n.scope;
      if (n.op_type == "Conv" && n.inputs.size() >= 2 && g_.constant(n.inputs[1])) {
        if (module.ends_with(".conv")) module.resize(module.size() - 5);
        ExportedConv c{g_.read_floats(n.inputs[1]), {}};
        if (c.weight.shape.size() != 4) fail("the weight of '" + n.name + "' is not [out, in, k, k]");
        if (n.inputs.size() > 2 && !n.inputs[2].empty()) c.bias = g_.read_floats(n.inputs[2]);
        if (!convs_.emplace(module, std::move(c)).second) fail("two convolutions named " + module);
      } else if ((n.op_type == "MatMul" || n.op_type == "Gemm") && n.inputs.size() >= 2 && g_.constant(n.inputs[1])) {
        products_.emplace(module, detail::read_product(g_, static_cast<int>(i)));
      }
    }
    if (convs_.count("stem.in_conv") == 0) fail("no stem.in_conv convolution");
  }

  // LiteMLA's head dimension and scales, from an EfficientViT block's qkv and aggregation convs.
  void read_attention(const std::string& blk, EfficientVitShape& s) const {
    const std::string pre = blk + ".context_module.main";
    const auto qkv = conv(pre + ".qkv").weight.shape[0];
    for (int k = 0; convs_.count(pre + ".aggreg." + std::to_string(k) + ".0") != 0; ++k) {
      s.scales.push_back(static_cast<int>(conv(pre + ".aggreg." + std::to_string(k) + ".0").weight.shape[2]));
    }
    if (s.scales.empty()) fail(pre + " has no aggregation convolutions");
    // The grouped 1x1 takes head_dim channels per group (3 · heads groups).
    const auto per_group = conv(pre + ".aggreg.0.1").weight.shape[1];
    if (per_group <= 0 || qkv % per_group != 0 || (qkv / per_group) % 3 != 0)
      fail(pre + ".aggreg.0.1 is not grouped by 3 · heads");
    const auto groups = qkv / per_group;
    s.head_dim = static_cast<int>(qkv / groups);
  }

  // timm's keys for one conv. Its batch norm, where timm has one, became the exported bias: the
  // norm is written as the identity around it (running variance 1 - eps, so that the scale
  // gamma / sqrt(var + eps) is 1 to float precision).
  void put_conv(ImportedModel& m, const std::string& module, const ExportedConv& c) const {
    const bool aggregation = module.find(".aggreg.") != std::string::npos;
    const bool attention_stage = module.starts_with("stages.") && [&] {
      const int stage = std::stoi(module.substr(7));
      return stage < static_cast<int>(m.card.efficientvit->stages.size()) &&
             m.card.efficientvit->stages[static_cast<std::size_t>(stage)].block == Stage::Block::attention;
    }();
    const bool bare = module.ends_with(".qkv") || aggregation;
    const bool own_bias = attention_stage && (module.ends_with(".inverted_conv") || module.ends_with(".depth_conv"));
    const std::string conv = aggregation ? module : module + ".conv";
    m.weights[conv + ".weight"] = c.weight;
    const auto out = c.weight.shape[0];
    const Tensor bias = c.bias.data.empty() ? Tensor{{out}, std::vector<float>(static_cast<std::size_t>(out), 0.0f)}
                                            : Tensor{{out}, c.bias.data};
    if (bare) {
      for (const float b : bias.data) {
        if (b != 0.0f) fail(module + " has a bias; timm's has none");
      }
    } else if (own_bias) {
      m.weights[conv + ".bias"] = bias;
    } else {
      const auto n = static_cast<std::size_t>(out);
      m.weights[module + ".norm.weight"] = Tensor{{out}, std::vector<float>(n, 1.0f)};
      m.weights[module + ".norm.bias"] = bias;
      m.weights[module + ".norm.running_mean"] = Tensor{{out}, std::vector<float>(n, 0.0f)};
      m.weights[module + ".norm.running_var"] =
          Tensor{{out}, std::vector<float>(n, static_cast<float>(1.0 - m.card.norm_eps))};
    }
  }

  const OnnxGraph& g_;
  const ImportOptions& o_;
  std::map<std::string, ExportedConv> convs_;
  std::map<std::string, detail::Product> products_;
};

}  // namespace

ImportedModel import_onnx_efficientvit(const OnnxGraph& graph, const ImportOptions& options) {
  return EfficientVitImporter(graph, options).run();
}

ImportedModel import_onnx(const OnnxGraph& graph, const ImportOptions& options) {
  for (const auto& n : graph.nodes()) {
    if (n.op_type == "Conv" && n.scope.starts_with("stem.in_conv")) return import_onnx_efficientvit(graph, options);
  }
  return import_onnx_vit(graph, options);
}

}  // namespace vitdse::model

// ONNX graph -> workload layers: each priced operator becomes one layer in its GEMM view.
#include "vitdse/model/onnx_workload.hpp"

#include <algorithm>
#include <set>

#include "vitdse/core/error.hpp"

namespace vitdse::model {

namespace {

// Operators that move or reshape data, or compute shapes: no arithmetic on activations.
const std::set<std::string> kDataMovement = {
    "Reshape", "Transpose", "Concat",   "Gather", "Slice",    "Shape",           "Constant", "Unsqueeze",
    "Squeeze", "Flatten",   "Identity", "Split",  "Expand",   "ConstantOfShape", "Cast",     "Dropout",
    "Range",   "Tile",      "Pad",      "Size",   "CastLike", "GatherElements"};
// Element-wise arithmetic and pooling around the GEMMs, which the cost model does not count.
const std::set<std::string> kElementwise = {"Add", "Sub", "Mul", "Div", "Neg", "GlobalAveragePool"};

std::int64_t product(const OnnxGraph::Shape& s, std::size_t begin, std::size_t end) {
  std::int64_t p = 1;
  for (std::size_t i = begin; i < end && i < s.size(); ++i) p *= std::max<std::int64_t>(s[i], 1);
  return p;
}

class Mapper {
 public:
  explicit Mapper(const OnnxGraph& g) : g_(g), done_(g.nodes().size(), false) {}

  OnnxWorkload run() {
    mark_gelu_patterns();
    for (std::size_t i = 0; i < g_.nodes().size(); ++i) {
      if (!done_[i]) map(static_cast<int>(i));
    }
    if (!layers_.empty()) layers_.front().params += pending_params_;
    ModelCard card;
    card.name = g_.path().stem().string();
    card.source = g_.path();
    if (!g_.inputs().empty()) {
      if (const auto s = g_.shape(g_.inputs()[0]); s && s->size() == 4) {
        card.in_chans = static_cast<int>(std::max<std::int64_t>((*s)[1], 1));
        card.img_size = static_cast<int>(std::max<std::int64_t>((*s)[2], 1));
      }
    }
    if (!g_.outputs().empty()) {
      if (const auto s = g_.shape(g_.outputs()[0]); s && !s->empty())
        card.num_classes = static_cast<int>(std::max<std::int64_t>(s->back(), 1));
    }
    return {Workload(std::move(card), std::move(layers_)), std::move(unpriced_), std::move(uncounted_)};
  }

 private:
  const OnnxNode& node(int i) const { return g_.nodes()[static_cast<std::size_t>(i)]; }

  OnnxGraph::Shape shape(const std::string& value, const OnnxNode& n) const {
    auto s = g_.shape(value);
    if (!s || s->empty())
      throw Error(g_.path().string() + ": no shape for '" + value + "', an input of " + n.op_type + " node '" + n.name +
                  "', after shape inference; export with static shapes except the batch");
    return *s;
  }

  // The only consumer of a value, if it has exactly one.
  int sole_consumer(const std::string& value) const {
    const auto c = g_.consumers(value);
    return c.size() == 1 ? c[0] : -1;
  }

  bool is_op(int i, const char* op) const { return i >= 0 && node(i).op_type == op; }

  // torch exports GELU(x) = x * 0.5 * (1 + erf(x / sqrt 2)) as Div, Erf, Add, Mul, Mul: each Erf
  // with that neighbourhood is one GELU layer.
  void mark_gelu_patterns() {
    for (std::size_t i = 0; i < g_.nodes().size(); ++i) {
      const OnnxNode& erf = g_.nodes()[i];
      if (erf.op_type != "Erf") continue;
      const int pre = g_.producer(erf.inputs[0]);
      const int add = sole_consumer(erf.outputs[0]);
      if (!(is_op(pre, "Div") || is_op(pre, "Mul")) || !is_op(add, "Add")) continue;
      const int mul1 = sole_consumer(node(add).outputs[0]);
      if (!is_op(mul1, "Mul")) continue;
      std::vector<int> pattern{pre, add, mul1};
      // The 0.5 factor is a second Mul after the first, or the first Mul's other operand.
      if (const int mul2 = sole_consumer(node(mul1).outputs[0]);
          is_op(mul2, "Mul") && (g_.constant(node(mul2).inputs[0]) || g_.constant(node(mul2).inputs[1])))
        pattern.push_back(mul2);
      const auto s = shape(erf.outputs[0], erf);
      Layer act = make_layer(name_for(erf, ""), OpKind::activation, block_of(erf), 1, product(s, 0, s.size() - 1), 0,
                             s.back(), 0);
      act.per_element.erf = 1;
      act.fields = kGelu;
      gelu_[static_cast<int>(i)] = act;
      for (const int p : pattern) done_[static_cast<std::size_t>(p)] = true;
    }
  }

  static int block_of_name(const std::string& name) {
    const std::string key = "blocks.";
    const auto at = name.find(key);
    if (at == std::string::npos || (at > 0 && name[at - 1] != '.')) return -1;
    std::size_t end = at + key.size();
    int b = 0;
    bool digits = false;
    while (end < name.size() && name[end] >= '0' && name[end] <= '9') {
      b = b * 10 + (name[end++] - '0');
      digits = true;
    }
    return digits ? b : -1;
  }
  static int block_of(const OnnxNode& n) { return block_of_name(n.scope.empty() ? n.name : n.scope); }

  // The layer's name: the module path, with `role` appended when given, kept unique.
  std::string name_for(const OnnxNode& n, const std::string& role) {
    std::string base = n.scope;
    if (!role.empty()) base = base.empty() ? role : base + "." + role;
    if (base.empty()) base = n.name.empty() ? n.op_type : n.name;
    std::string name = base;
    for (int k = 1; !names_.insert(name).second; ++k) name = base + "_" + std::to_string(k);
    return name;
  }

  // Follows a value forward through element-wise scaling (the attention scale) to a Softmax.
  bool feeds_softmax(const std::string& value) const {
    int c = sole_consumer(value);
    for (int hops = 0; c >= 0 && hops < 3; ++hops) {
      if (is_op(c, "Softmax")) return true;
      if (kElementwise.count(node(c).op_type) == 0 && node(c).op_type != "Cast") return false;
      c = sole_consumer(node(c).outputs[0]);
    }
    return false;
  }
  bool comes_from_softmax(const std::string& value) const {
    int p = g_.producer(value);
    for (int hops = 0; p >= 0 && hops < 3; ++hops) {
      if (is_op(p, "Softmax")) return true;
      if (node(p).op_type != "Dropout" && node(p).op_type != "Cast") return false;
      p = g_.producer(node(p).inputs[0]);
    }
    return false;
  }

  // Folds a bias Add that follows a product into its layer: its parameter count, or 0.
  std::int64_t take_bias(const std::string& out, std::int64_t n) {
    const auto [add, bias] = g_.bias_after(out, n);
    if (add < 0) return 0;
    done_[static_cast<std::size_t>(add)] = true;
    used_.insert(bias);
    return n;
  }

  void add_linear(const OnnxNode& n, std::int64_t m, std::int64_t k, std::int64_t cols, std::int64_t bias) {
    layers_.push_back(make_layer(name_for(n, ""), OpKind::linear, block_of(n), 1, m, k, cols, k * cols + bias));
  }

  void map(int i) {
    const OnnxNode& n = node(i);
    const std::string& op = n.op_type;
    const std::size_t layers_before = layers_.size();
    if (const auto it = gelu_.find(i); it != gelu_.end()) {
      layers_.push_back(it->second);
    } else if (op == "MatMul") {
      const auto a = shape(n.inputs[0], n), b = shape(n.inputs[1], n);
      if (a.size() < 2 || b.size() < 2) return unpriced(n);
      if (const OnnxConstant* w = g_.constant(n.inputs[1]); w != nullptr && b.size() == 2) {
        add_linear(n, product(a, 0, a.size() - 1), b[0], b[1], take_bias(n.outputs[0], b[1]));
      } else {
        const std::string role = feeds_softmax(n.outputs[0]) ? "qk" : comes_from_softmax(n.inputs[0]) ? "av" : "matmul";
        layers_.push_back(make_layer(name_for(n, role), OpKind::matmul, block_of(n), product(a, 0, a.size() - 2),
                                     a[a.size() - 2], a.back(), b.back(), 0));
      }
    } else if (op == "Gemm") {
      const auto a = shape(n.inputs[0], n), b = shape(n.inputs[1], n);
      if (a.size() != 2 || b.size() != 2 || g_.constant(n.inputs[1]) == nullptr) return unpriced(n);
      const bool ta = n.int_attr("transA", 0) != 0, tb = n.int_attr("transB", 0) != 0;
      const std::int64_t m = std::max<std::int64_t>(ta ? a[1] : a[0], 1), k = ta ? a[0] : a[1], cols = tb ? b[0] : b[1];
      const OnnxConstant* c = n.inputs.size() > 2 && !n.inputs[2].empty() ? g_.constant(n.inputs[2]) : nullptr;
      add_linear(n, m, k, cols, c != nullptr ? c->numel() : take_bias(n.outputs[0], cols));
    } else if (op == "Conv") {
      const OnnxConstant* w = g_.constant(n.inputs[1]);
      const auto out = shape(n.outputs[0], n);
      if (w == nullptr || w->dims.size() < 3 || out.size() != w->dims.size()) return unpriced(n);
      const std::int64_t groups = n.int_attr("group", 1);
      if (groups < 1 || w->dims[0] % groups != 0) return unpriced(n);
      const std::int64_t per_group_in = product(w->dims, 1, w->dims.size());
      const OnnxConstant* b = n.inputs.size() > 2 && !n.inputs[2].empty() ? g_.constant(n.inputs[2]) : nullptr;
      const std::int64_t bias = b != nullptr ? b->numel() : take_bias(n.outputs[0], w->dims[0]);
      layers_.push_back(make_layer(name_for(n, ""), OpKind::conv, block_of(n), groups, product(out, 2, out.size()),
                                   per_group_in, w->dims[0] / groups, w->numel() + bias));
    } else if (op == "Softmax") {
      const auto s = shape(n.outputs[0], n);
      const std::size_t r = s.size();
      Layer l = make_layer(name_for(n, "softmax"), OpKind::softmax, block_of(n), r >= 3 ? product(s, 0, r - 2) : 1,
                           r >= 2 ? std::max<std::int64_t>(s[r - 2], 1) : 1, 0, s.back(), 0);
      l.per_element = {.exp = 1, .erf = 0, .div = 1, .sqrt = 0};
      l.fields = kSoftmax;
      layers_.push_back(l);
    } else if (op == "LayerNormalization") {
      const auto s = shape(n.inputs[0], n);
      std::int64_t params = 0;
      for (std::size_t j = 1; j < n.inputs.size(); ++j) {
        if (const OnnxConstant* c = n.inputs[j].empty() ? nullptr : g_.constant(n.inputs[j])) params += c->numel();
      }
      Layer l =
          make_layer(name_for(n, ""), OpKind::norm, block_of(n), 1, product(s, 0, s.size() - 1), 0, s.back(), params);
      l.per_row = {.exp = 0, .erf = 0, .div = 1, .sqrt = 1};
      layers_.push_back(l);
    } else if (op == "Gelu" || op == "Relu" || op == "HardSwish") {
      const auto s = shape(n.outputs[0], n);
      Layer l =
          make_layer(name_for(n, ""), OpKind::activation, block_of(n), 1, product(s, 0, s.size() - 1), 0, s.back(), 0);
      if (op == "Gelu") {
        l.per_element.erf = 1;
        l.fields = kGelu;
      }
      layers_.push_back(l);
    } else if (kDataMovement.count(op) != 0 || shape_arithmetic(n)) {
      if (op != "Constant") ++uncounted_[op];
      if (op != "Identity") count_parameters(n);  // an Identity's output is the same constant, counted where read
    } else if (kElementwise.count(op) != 0) {
      ++uncounted_[op];
      count_parameters(n);
    } else {
      unpriced(n);
    }
    if (layers_.size() > layers_before) {
      for (const auto& v : n.inputs) used_.insert(v);
    }
  }

  // Weights read outside any layer (a class token concatenated, a position embedding added) are
  // parameters too: they count on the layer before them, as the patch embedding's in a card.
  void count_parameters(const OnnxNode& n) {
    for (const auto& v : n.inputs) {
      const OnnxConstant* c = v.empty() ? nullptr : g_.constant(v);
      if (c == nullptr || c->data_type != 1 || c->numel() <= 1 || !used_.insert(v).second) continue;
      if (layers_.empty()) {
        pending_params_ += c->numel();
      } else {
        layers_.back().params += c->numel();
      }
    }
  }

  // A node whose outputs are all tiny vectors or scalars computes shapes, not activations.
  bool shape_arithmetic(const OnnxNode& n) const {
    for (const auto& out : n.outputs) {
      const auto s = g_.shape(out);
      if (!s || s->size() > 1 || (s->size() == 1 && ((*s)[0] < 0 || (*s)[0] > 8))) return false;
    }
    return !n.outputs.empty();
  }

  void unpriced(const OnnxNode& n) { ++unpriced_[n.op_type]; }

  const OnnxGraph& g_;
  std::vector<bool> done_;
  std::map<int, Layer> gelu_;
  std::set<std::string> names_, used_;
  std::int64_t pending_params_ = 0;
  std::vector<Layer> layers_;
  std::map<std::string, int> unpriced_, uncounted_;
};

}  // namespace

std::string describe_counts(const std::map<std::string, int>& counts) {
  std::string out;
  for (const auto& [op, count] : counts) {
    if (!out.empty()) out += ", ";
    out += op + " x" + std::to_string(count);
  }
  return out;
}

OnnxWorkload onnx_workload(const OnnxGraph& graph) { return Mapper(graph).run(); }

OnnxWorkload load_onnx_workload(const std::filesystem::path& file, bool allow_unpriced) {
  auto w = onnx_workload(load_onnx_graph(file));
  if (!w.unpriced.empty() && !allow_unpriced) {
    int total = 0;
    for (const auto& [op, count] : w.unpriced) total += count;
    throw Error(file.string() + ": " + std::to_string(total) + " operator" + (total == 1 ? "" : "s") +
                " that vitdse cannot price: " + describe_counts(w.unpriced) +
                " (--allow-unpriced leaves them out and goes on)");
  }
  if (w.workload.layers().empty()) throw Error(file.string() + ": no operator that vitdse can price");
  return w;
}

}  // namespace vitdse::model

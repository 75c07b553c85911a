// Shapes that ONNX's own inference leaves unknown. Exporters compute reshape targets at run time
// (Shape -> Gather -> Div -> Concat -> Reshape), and libonnx's data propagation does not follow
// every step (Div, for one). With the batch fixed to 1 every such value is a constant, so one
// pass in topological order evaluates the integer arithmetic and the shape rules of the common
// operators.
#include <algorithm>
#include <cstdint>

#include "onnx_shapes.hpp"

namespace vitdse::model::detail {

namespace {

using Shape = OnnxGraph::Shape;
using Values = std::vector<std::int64_t>;

// Integer tensors evaluated at most: shape arithmetic is a few values, never an activation.
constexpr std::int64_t kMaxValues = 64;

bool known(const Shape& s) {
  return std::all_of(s.begin(), s.end(), [](std::int64_t d) { return d >= 0; });
}

// The element count, or -1 when it would overflow (a corrupt or hostile file).
std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (const auto d : s) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) return -1;
  }
  return n;
}

// NumPy broadcasting; empty optional when the shapes do not broadcast.
std::optional<Shape> broadcast(const std::vector<Shape>& shapes) {
  std::size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const auto& s : shapes) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      auto& o = out[rank - s.size() + i];
      if (s[i] == 1) continue;
      if (o != 1 && o != s[i]) return std::nullopt;
      o = s[i];
    }
  }
  return out;
}

std::int64_t axis_of(std::int64_t axis, std::size_t rank) {
  return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
}

class Propagator {
 public:
  Propagator(const std::vector<OnnxNode>& nodes, std::map<std::string, Shape>& shapes,
             std::map<std::string, Values>& values)
      : nodes_(nodes), shapes_(shapes), values_(values) {}

  void run() {
    for (const auto& n : nodes_) step(n);
  }

 private:
  const Shape* shape(const std::string& v) const {
    const auto it = shapes_.find(v);
    return it != shapes_.end() && known(it->second) ? &it->second : nullptr;
  }
  const Values* value(const std::string& v) const {
    const auto it = values_.find(v);
    return it == values_.end() ? nullptr : &it->second;
  }
  void set_shape(const std::string& v, Shape s) {
    auto& slot = shapes_[v];
    if (slot.empty() || !known(slot)) slot = std::move(s);
  }
  void set_value(const std::string& v, Values x, Shape s) {
    values_[v] = std::move(x);
    set_shape(v, std::move(s));
  }

  // An axes-like list: the attribute, else the constant at input `index` (opset 13 and later).
  std::optional<Values> list(const OnnxNode& n, const char* name, std::size_t index) const {
    if (const auto it = n.int_lists.find(name); it != n.int_lists.end()) return it->second;
    if (n.inputs.size() > index && !n.inputs[index].empty()) {
      if (const Values* v = value(n.inputs[index])) return *v;
    }
    return std::nullopt;
  }

  void step(const OnnxNode& n) {
    if (n.outputs.empty()) return;
    const std::string& op = n.op_type;
    const std::string& out = n.outputs[0];
    const Shape* in = n.inputs.empty() || n.inputs[0].empty() ? nullptr : shape(n.inputs[0]);
    const Values* a = n.inputs.empty() ? nullptr : value(n.inputs[0]);

    if (op == "Shape") {
      if (in != nullptr) set_value(out, *in, {static_cast<std::int64_t>(in->size())});
    } else if (op == "Gather" && a != nullptr && n.inputs.size() > 1 && value(n.inputs[1]) != nullptr) {
      const Values& idx = *value(n.inputs[1]);
      Values r;
      for (auto i : idx) {
        if (i < 0) i += static_cast<std::int64_t>(a->size());
        if (i < 0 || i >= static_cast<std::int64_t>(a->size())) return;
        r.push_back((*a)[static_cast<std::size_t>(i)]);
      }
      const Shape* is = shape(n.inputs[1]);
      set_value(out, r, is != nullptr ? *is : Shape{static_cast<std::int64_t>(r.size())});
    } else if ((op == "Unsqueeze" || op == "Squeeze" || op == "Cast" || op == "Identity" || op == "Floor") &&
               a != nullptr) {
      // Integer values stay flat; the shape follows the operator's rule below.
      values_[out] = *a;
      shape_rule(n, in);
    } else if (op == "Concat" && all_values(n)) {
      Values r;
      for (const auto& v : n.inputs) r.insert(r.end(), value(v)->begin(), value(v)->end());
      set_value(out, r, {static_cast<std::int64_t>(r.size())});
    } else if ((op == "Div" || op == "Mul" || op == "Add" || op == "Sub") && all_values(n) && n.inputs.size() == 2) {
      const Values &x = *value(n.inputs[0]), &y = *value(n.inputs[1]);
      const std::size_t size = std::max(x.size(), y.size());
      if ((x.size() != size && x.size() != 1) || (y.size() != size && y.size() != 1)) return;
      Values r(size);
      for (std::size_t i = 0; i < size; ++i) {
        const auto p = x[x.size() == 1 ? 0 : i], q = y[y.size() == 1 ? 0 : i];
        if (op == "Div" && (q == 0 || (p == INT64_MIN && q == -1))) return;
        bool overflow = false;
        if (op == "Div") {
          r[i] = p / q;
        } else if (op == "Mul") {
          overflow = __builtin_mul_overflow(p, q, &r[i]);
        } else if (op == "Add") {
          overflow = __builtin_add_overflow(p, q, &r[i]);
        } else {
          overflow = __builtin_sub_overflow(p, q, &r[i]);
        }
        if (overflow) return;
      }
      values_[out] = r;
      shape_rule(n, in);
    } else if (op == "Slice") {
      slice(n, in, a);
    } else if (op == "ConstantOfShape" && a != nullptr) {
      // The fill value is an integer attribute when it is one (torch's F.pad: zeros).
      if (!known(*a) || numel(*a) < 0 || numel(*a) > kMaxValues) return set_shape(out, *a);
      set_value(out, Values(static_cast<std::size_t>(numel(*a)), n.int_attr("value", 0)), *a);
    } else if ((op == "Reshape" || op == "Transpose") && a != nullptr) {
      shape_rule(n, in);
      const Shape* s = shape(out);
      if (s == nullptr || numel(*s) != static_cast<std::int64_t>(a->size())) return;
      if (op == "Reshape") {
        values_[out] = *a;
      } else if (in != nullptr && numel(*in) == static_cast<std::int64_t>(a->size())) {
        const Values perm = permutation(n, in->size());
        if (!std::is_permutation(perm.begin(), perm.end(), permutation(OnnxNode{}, in->size()).begin())) return;
        values_[out] = transposed(*a, *in, perm);
      }
    } else {
      shape_rule(n, in);
    }
  }

  // Transpose's perm, reversing the axes by default.
  static Values permutation(const OnnxNode& n, std::size_t rank) {
    Values perm = n.int_lists.count("perm") != 0 ? n.int_lists.at("perm") : Values{};
    if (perm.empty()) {
      for (std::size_t i = rank; i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
    }
    return perm;
  }

  // Row-major `x` of shape `in` with its axes permuted (perm already checked by the shape rule).
  static Values transposed(const Values& x, const Shape& in, const Values& perm) {
    const std::size_t rank = in.size();
    Values out(x.size()), stride(rank, 1), index(rank, 0);
    for (std::size_t i = rank; i-- > 1;) stride[i - 1] = stride[i] * in[i];
    for (std::size_t o = 0; o < out.size(); ++o) {
      std::int64_t src = 0;
      for (std::size_t i = 0; i < rank; ++i) src += index[i] * stride[static_cast<std::size_t>(perm[i])];
      out[o] = x[static_cast<std::size_t>(src)];
      for (std::size_t i = rank; i-- > 0;) {  // the next output index, last axis fastest
        if (++index[i] < in[static_cast<std::size_t>(perm[i])]) break;
        index[i] = 0;
      }
    }
    return out;
  }

  // Slice with constant starts, ends, axes and steps: the shape, and the values of a small
  // integer tensor (torch's F.pad reverses its pads with one).
  void slice(const OnnxNode& n, const Shape* in, const Values* a) {
    if (in == nullptr) return;
    const auto starts = list(n, "starts", 1), ends = list(n, "ends", 2);
    if (!starts || !ends || starts->size() != ends->size()) return;
    const std::size_t rank = in->size();
    Values axes(starts->size()), steps(starts->size(), 1);
    for (std::size_t j = 0; j < axes.size(); ++j) axes[j] = static_cast<std::int64_t>(j);
    if (const auto given = list(n, "axes", 3)) axes = *given;
    if (const auto given = list(n, "steps", 4)) steps = *given;
    if (axes.size() != starts->size() || steps.size() != starts->size()) return;
    Shape out = *in;
    Values first(rank, 0), step(rank, 1);
    for (std::size_t j = 0; j < axes.size(); ++j) {
      const auto axis = axis_of(axes[j], rank);
      if (axis < 0 || axis >= static_cast<std::int64_t>(rank) || steps[j] == 0 || steps[j] == INT64_MIN) return;
      const std::int64_t dim = (*in)[static_cast<std::size_t>(axis)], st = steps[j];
      // ONNX's clamping: negative indices count from the end; reversed slices may stop at -1.
      const auto clamp = [&](std::int64_t i) {
        if (i < 0) i = i < -dim ? -1 : i + dim;
        return st > 0 ? std::clamp(i, std::int64_t{0}, dim) : std::clamp(i, std::int64_t{-1}, dim - 1);
      };
      const std::int64_t b = clamp((*starts)[j]), e = clamp((*ends)[j]);
      const std::int64_t span = st > 0 ? e - b : b - e, stride = st > 0 ? st : -st;
      out[static_cast<std::size_t>(axis)] = span <= 0 ? 0 : 1 + (span - 1) / stride;
      first[static_cast<std::size_t>(axis)] = b;
      step[static_cast<std::size_t>(axis)] = st;
    }
    set_shape(n.outputs[0], out);
    if (a == nullptr || numel(*in) != static_cast<std::int64_t>(a->size()) || numel(out) < 0) return;
    Values r(static_cast<std::size_t>(numel(out))), stride(rank, 1), index(rank, 0);
    for (std::size_t i = rank; i-- > 1;) stride[i - 1] = stride[i] * (*in)[i];
    for (auto& v : r) {
      std::int64_t src = 0;
      for (std::size_t i = 0; i < rank; ++i) src += (first[i] + index[i] * step[i]) * stride[i];
      v = (*a)[static_cast<std::size_t>(src)];
      for (std::size_t i = rank; i-- > 0;) {
        if (++index[i] < out[i]) break;
        index[i] = 0;
      }
    }
    values_[n.outputs[0]] = r;
  }

  bool all_values(const OnnxNode& n) const {
    return std::all_of(n.inputs.begin(), n.inputs.end(), [this](const std::string& v) { return value(v) != nullptr; });
  }

  // Output shapes from input shapes, for the operators exporters put around the GEMMs.
  void shape_rule(const OnnxNode& n, const Shape* in) {
    const std::string& op = n.op_type;
    const std::string& out = n.outputs[0];
    if (in == nullptr) return;
    static const char* const unary[] = {
        "Relu",        "Gelu",    "Erf",     "Tanh",     "Sigmoid",   "Sqrt",  "Exp",        "Neg",
        "Cast",        "Softmax", "Dropout", "Identity", "HardSwish", "Floor", "Reciprocal", "LayerNormalization",
        "HardSigmoid", "Abs"};
    if (std::find(std::begin(unary), std::end(unary), op) != std::end(unary)) return set_shape(out, *in);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Pow" || op == "Where" || op == "Equal" ||
        op == "Max" || op == "Min") {
      std::vector<Shape> all;
      for (const auto& v : n.inputs) {
        const Shape* s = shape(v);
        if (s == nullptr) return;
        all.push_back(*s);
      }
      if (auto b = broadcast(all)) set_shape(out, *b);
    } else if (op == "Reshape" && n.inputs.size() > 1 && value(n.inputs[1]) != nullptr) {
      Shape s = *value(n.inputs[1]);
      std::int64_t rest = numel(*in), infer = -1;
      if (rest < 0) return;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == 0 && n.int_attr("allowzero", 0) == 0 && i < in->size()) s[i] = (*in)[i];
        if (s[i] == -1) {
          infer = static_cast<std::int64_t>(i);
        } else if (s[i] > 0) {
          rest /= s[i];
        }
      }
      if (infer >= 0) s[static_cast<std::size_t>(infer)] = rest;
      if (known(s) && numel(s) >= 0 && numel(s) == numel(*in)) set_shape(out, s);
    } else if (op == "Transpose") {
      const Values perm = permutation(n, in->size());
      if (perm.size() != in->size()) return;
      Shape s;
      for (const auto p : perm) {
        if (p < 0 || p >= static_cast<std::int64_t>(in->size())) return;
        s.push_back((*in)[static_cast<std::size_t>(p)]);
      }
      set_shape(out, s);
    } else if (op == "Split") {
      const auto axis = static_cast<std::size_t>(axis_of(n.int_attr("axis", 0), in->size()));
      if (axis >= in->size()) return;
      auto sizes = list(n, "split", 1);
      if (!sizes) sizes = Values(n.outputs.size(), (*in)[axis] / static_cast<std::int64_t>(n.outputs.size()));
      if (sizes->size() != n.outputs.size()) return;
      for (std::size_t k = 0; k < n.outputs.size(); ++k) {
        Shape s = *in;
        s[axis] = (*sizes)[k];
        set_shape(n.outputs[k], s);
      }
    } else if (op == "Squeeze") {
      const auto axes = list(n, "axes", 1);
      Shape s;
      for (std::size_t i = 0; i < in->size(); ++i) {
        const bool drop =
            axes ? std::any_of(axes->begin(), axes->end(),
                               [&](std::int64_t x) { return axis_of(x, in->size()) == static_cast<std::int64_t>(i); })
                 : (*in)[i] == 1;
        if (!drop) s.push_back((*in)[i]);
      }
      set_shape(out, s);
    } else if (op == "Unsqueeze") {
      const auto axes = list(n, "axes", 1);
      if (!axes) return;
      const std::size_t rank = in->size() + axes->size();
      Shape s;
      std::size_t next = 0;
      for (std::size_t i = 0; i < rank; ++i) {
        const bool add = std::any_of(axes->begin(), axes->end(),
                                     [&](std::int64_t x) { return axis_of(x, rank) == static_cast<std::int64_t>(i); });
        if (!add && next >= in->size()) return;  // repeated or out-of-range axes
        s.push_back(add ? 1 : (*in)[next++]);
      }
      if (next != in->size()) return;
      set_shape(out, s);
    } else if (op == "MatMul" && n.inputs.size() == 2 && shape(n.inputs[1]) != nullptr) {
      Shape x = *in, y = *shape(n.inputs[1]);
      if (x.size() < 2 || y.size() < 2 || x.back() != y[y.size() - 2]) return;
      const auto batch = broadcast({Shape(x.begin(), x.end() - 2), Shape(y.begin(), y.end() - 2)});
      if (!batch) return;
      Shape s = *batch;
      s.push_back(x[x.size() - 2]);
      s.push_back(y.back());
      set_shape(out, s);
    } else if (op == "Concat") {
      const auto axis = static_cast<std::size_t>(axis_of(n.int_attr("axis", 0), in->size()));
      Shape s = *in;
      if (axis >= s.size()) return;
      s[axis] = 0;
      for (const auto& v : n.inputs) {
        const Shape* p = shape(v);
        if (p == nullptr || p->size() != s.size()) return;
        s[axis] += (*p)[axis];
      }
      set_shape(out, s);
    } else if (op == "Expand" && n.inputs.size() == 2 && value(n.inputs[1]) != nullptr) {
      if (auto b = broadcast({*in, *value(n.inputs[1])})) set_shape(out, *b);
    } else if (op == "Gather" && n.inputs.size() == 2 && shape(n.inputs[1]) != nullptr) {
      const auto axis = static_cast<std::size_t>(axis_of(n.int_attr("axis", 0), in->size()));
      if (axis >= in->size()) return;
      Shape s(in->begin(), in->begin() + static_cast<std::ptrdiff_t>(axis));
      const Shape* idx = shape(n.inputs[1]);
      s.insert(s.end(), idx->begin(), idx->end());
      s.insert(s.end(), in->begin() + static_cast<std::ptrdiff_t>(axis) + 1, in->end());
      set_shape(out, s);
    } else if (op == "Pad" && n.inputs.size() > 1 && value(n.inputs[1]) != nullptr) {
      const Values& pads = *value(n.inputs[1]);
      Values axes;
      if (const auto given = list(n, "axes", 3)) axes = *given;
      if (axes.empty()) {
        for (std::size_t i = 0; i < in->size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
      }
      if (pads.size() != 2 * axes.size()) return;
      Shape s = *in;
      for (std::size_t j = 0; j < axes.size(); ++j) {
        const auto axis = axis_of(axes[j], in->size());
        if (axis < 0 || axis >= static_cast<std::int64_t>(in->size())) return;
        auto& d = s[static_cast<std::size_t>(axis)];
        if (__builtin_add_overflow(d, pads[j], &d) || __builtin_add_overflow(d, pads[j + axes.size()], &d) || d < 0) {
          return;
        }
      }
      set_shape(out, s);
    } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      Shape s = *in;
      for (std::size_t i = 2; i < s.size(); ++i) s[i] = 1;
      set_shape(out, s);
    } else if (op == "Flatten") {
      const auto axis = static_cast<std::size_t>(axis_of(n.int_attr("axis", 1), in->size()));
      if (axis > in->size()) return;
      const auto outer = numel(Shape(in->begin(), in->begin() + static_cast<std::ptrdiff_t>(axis)));
      const auto inner = numel(Shape(in->begin() + static_cast<std::ptrdiff_t>(axis), in->end()));
      if (outer >= 0 && inner >= 0) set_shape(out, {outer, inner});
    }
  }

  const std::vector<OnnxNode>& nodes_;
  std::map<std::string, Shape>& shapes_;
  std::map<std::string, Values>& values_;
};

}  // namespace

void propagate_shapes(const std::vector<OnnxNode>& nodes, std::map<std::string, OnnxGraph::Shape>& shapes,
                      std::map<std::string, std::vector<std::int64_t>>& values) {
  Propagator(nodes, shapes, values).run();
}

}  // namespace vitdse::model::detail

// Reads an ONNX model through ONNX's own protobuf schema and shape inference (libonnx).
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <cstring>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>
#include <map>
#include <vector>

#include "onnx_shapes.hpp"
#include "safetensors_detail.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/model/onnx_graph.hpp"

namespace vitdse::model {

namespace {

OnnxGraph::Shape shape_of(const onnx::TypeProto& type) {
  OnnxGraph::Shape dims;
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return dims;
  for (const auto& d : type.tensor_type().shape().dim()) dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
  return dims;
}

bool has_shape(const onnx::TypeProto& type) { return type.has_tensor_type() && type.tensor_type().has_shape(); }

// The module path the exporter recorded: torch's TorchScript exporter names nodes by it
// ("/blocks.0/attn/qkv/MatMul" is in "blocks.0.attn.qkv").
// Its levels name each module by its attribute, except that a container's children carry the
// container's path ("/blocks/blocks.0/attn"): a level that extends the one before replaces it.
std::string scope_of(const onnx::NodeProto& node) {
  const std::string& name = node.name();
  if (name.size() < 2 || name[0] != '/') return "";
  std::vector<std::string> levels;
  std::size_t begin = 1;
  for (std::size_t end = name.find('/', begin); end != std::string::npos; end = name.find('/', begin)) {
    std::string level = name.substr(begin, end - begin);
    if (!levels.empty() && level.rfind(levels.back() + ".", 0) == 0) {
      levels.back() = std::move(level);
    } else if (!level.empty()) {
      levels.push_back(std::move(level));
    }
    begin = end + 1;
  }
  std::string scope;
  for (const auto& l : levels) scope += (scope.empty() ? "" : ".") + l;
  return scope;
}

// A tensor's bytes in ONNX's little-endian layout, from raw_data or the typed repeated fields.
std::string bytes_of(const onnx::TensorProto& t) {
  if (t.has_raw_data()) return t.raw_data();
  std::string out;
  const auto put = [&out](const auto& values, auto as) {
    for (const auto& v : values) {
      const decltype(as) x = static_cast<decltype(as)>(v);
      out.append(reinterpret_cast<const char*>(&x), sizeof x);
    }
  };
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      put(t.float_data(), float{});
      break;
    case onnx::TensorProto::DOUBLE:
      put(t.double_data(), double{});
      break;
    case onnx::TensorProto::INT64:
      put(t.int64_data(), std::int64_t{});
      break;
    case onnx::TensorProto::INT32:
      put(t.int32_data(), std::int32_t{});
      break;
    case onnx::TensorProto::FLOAT16:
      put(t.int32_data(), std::uint16_t{});  // ONNX keeps float16 bits in int32_data
      break;
    default:
      break;
  }
  return out;
}

std::int64_t parse_count(const std::string& text, const std::string& tensor, const std::filesystem::path& model) {
  std::int64_t v = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0)
    throw Error(model.string() + ": tensor '" + tensor + "' has a bad external data offset or length '" + text + "'");
  return v;
}

OnnxConstant constant_of(const onnx::TensorProto& t, const std::filesystem::path& model) {
  OnnxConstant c;
  c.dims.assign(t.dims().begin(), t.dims().end());
  c.data_type = t.data_type();
  std::int64_t n = 1;
  for (const auto d : c.dims) {
    if (d < 0 || __builtin_mul_overflow(n, d, &n) || n > kMaxOnnxElements)
      throw Error(model.string() + ": tensor '" + t.name() + "' has an impossible shape");
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    for (const auto& e : t.external_data()) {
      // ONNX puts external data beside the model: a relative path that stays in its folder.
      const std::filesystem::path location(e.value());
      if (e.key() == "location" && (location.is_absolute() || e.value().find("..") != std::string::npos))
        throw Error(model.string() + ": tensor '" + t.name() + "' has external data outside the model's folder");
      if (e.key() == "location") c.external = model.parent_path() / location;
      if (e.key() == "offset") c.offset = parse_count(e.value(), t.name(), model);
      if (e.key() == "length") c.length = parse_count(e.value(), t.name(), model);
    }
    if (!c.external)
      throw Error(model.string() + ": initializer '" + t.name() + "' has external data with no location");
  } else {
    c.bytes = bytes_of(t);
  }
  return c;
}

// libonnx's messages span lines (a node's text form): one line, cut to a readable length.
std::string flat(const std::string& message) {
  std::string out;
  for (const char c : message) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (!space) {
      out += c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return printable(out, 400);
}

// ONNX's checker, which would also open every external data file: those are checked when read,
// so it sees them as inline scalars (it checks the graph, not the tensors' shapes). The copy is
// small, as external data is elsewhere.
void check(const onnx::ModelProto& model) {
  const auto& inits = model.graph().initializer();
  if (std::none_of(inits.begin(), inits.end(),
                   [](const auto& t) { return t.data_location() == onnx::TensorProto::EXTERNAL; })) {
    onnx::checker::check_model(model);
    return;
  }
  onnx::ModelProto skeleton = model;
  for (auto& t : *skeleton.mutable_graph()->mutable_initializer()) {
    if (t.data_location() != onnx::TensorProto::EXTERNAL) continue;
    t.clear_external_data();
    t.set_data_location(onnx::TensorProto::DEFAULT);
    t.clear_dims();
    t.set_raw_data(std::string(8, '\0'));
  }
  onnx::checker::check_model(skeleton);
}

// libonnx 1.12's shape inference crashes (a null type) when data propagation meets a Reshape
// target below -1 and a later Shape reads the untyped result: such targets are refused first,
// in the integer constants they are made of (the target itself, or the parts it concatenates).
void check_reshape_targets(const onnx::GraphProto& g, const std::filesystem::path& file) {
  std::map<std::string, const onnx::TensorProto*> constants;
  std::map<std::string, const onnx::NodeProto*> concats;
  for (const auto& t : g.initializer()) constants[t.name()] = &t;
  for (const auto& n : g.node()) {
    if (n.output_size() != 1) continue;
    if (n.op_type() == "Concat") concats[n.output(0)] = &n;
    if (n.op_type() != "Constant") continue;
    for (const auto& a : n.attribute()) {
      if (a.name() == "value" && a.has_t()) constants[n.output(0)] = &a.t();
    }
  }
  const auto check_values = [&](const std::string& name, const onnx::NodeProto& reshape) {
    const auto it = constants.find(name);
    if (it == constants.end() || it->second->data_type() != onnx::TensorProto::INT64) return;
    const onnx::TensorProto& t = *it->second;
    std::vector<std::int64_t> values(t.int64_data().begin(), t.int64_data().end());
    if (t.has_raw_data()) {
      values.resize(t.raw_data().size() / sizeof(std::int64_t));
      std::memcpy(values.data(), t.raw_data().data(), values.size() * sizeof(std::int64_t));
    }
    for (const auto v : values) {
      if (v < -1) {
        throw Error(file.string() + ": Reshape '" + printable(reshape.name(), 80) + "' has a target dimension of " +
                    std::to_string(v) + " (only -1, 0 and sizes are allowed)");
      }
    }
  };
  for (const auto& n : g.node()) {
    if (n.op_type() != "Reshape" || n.input_size() < 2) continue;
    check_values(n.input(1), n);
    if (const auto c = concats.find(n.input(1)); c != concats.end()) {
      for (const auto& part : c->second->input()) check_values(part, n);
    }
  }
}

}  // namespace

bool onnx_built() { return true; }

OnnxGraph load_onnx_graph(const std::filesystem::path& file) {
  auto in = detail::open_regular_file(file, "an ONNX model");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in) || !model.has_graph())
    throw Error(file.string() + ": not an ONNX model (it does not parse as an ONNX ModelProto)");
  OnnxGraph g;
  g.path_ = file;
  for (const auto& op : model.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") g.opset_ = op.version();
  }
  // ONNX's checker first: its shape inference assumes a well-formed graph (and crashes on some
  // that are not).
  if (model.ir_version() > onnx::IR_VERSION) {
    throw Error(file.string() + ": ONNX IR version " + std::to_string(model.ir_version()) +
                " is newer than this build's libonnx reads (" + std::to_string(onnx::IR_VERSION) +
                "); export with an older opset and IR, e.g. torch.onnx.export(..., dynamo=False, opset_version=17)");
  }
  try {
    check(model);
  } catch (const std::exception& e) {
    throw Error(file.string() + ": not a valid ONNX model: " + flat(e.what()));
  }
  check_reshape_targets(model.graph(), file);
  // Counts are per image: a symbolic dimension of an input (the batch) is fixed at 1, which makes
  // every shape computed from it a constant.
  for (auto& v : *model.mutable_graph()->mutable_input()) {
    if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) continue;
    for (auto& d : *v.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim()) {
      if (!d.has_dim_value()) d.set_dim_value(1);
    }
  }
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/false, /*strict=*/0,
                                                                   /*data_propagation=*/true));
  } catch (const std::exception& e) {
    throw Error(file.string() + ": ONNX shape inference failed: " + flat(e.what()));
  }
  const auto& graph = model.graph();
  for (const auto& t : graph.initializer()) g.constants_[t.name()] = constant_of(t, file);
  for (const auto& v : graph.input()) {
    if (g.constants_.count(v.name()) == 0) g.inputs_.push_back(v.name());
  }
  for (const auto& v : graph.output()) g.outputs_.push_back(v.name());
  const auto note_shape = [&g](const onnx::ValueInfoProto& v) {
    if (has_shape(v.type())) g.shapes_[v.name()] = shape_of(v.type());
  };
  for (const auto& v : graph.input()) note_shape(v);
  for (const auto& v : graph.value_info()) note_shape(v);
  for (const auto& v : graph.output()) note_shape(v);
  for (const auto& [name, c] : g.constants_) g.shapes_[name] = c.dims;

  for (const auto& n : graph.node()) {
    OnnxNode node;
    node.name = n.name();
    node.op_type = n.domain().empty() || n.domain() == "ai.onnx" ? n.op_type() : n.domain() + "." + n.op_type();
    node.scope = scope_of(n);
    node.inputs.assign(n.input().begin(), n.input().end());
    node.outputs.assign(n.output().begin(), n.output().end());
    for (const auto& a : n.attribute()) {
      switch (a.type()) {
        case onnx::AttributeProto::INT:
          node.ints[a.name()] = a.i();
          break;
        case onnx::AttributeProto::FLOAT:
          node.floats[a.name()] = a.f();
          break;
        case onnx::AttributeProto::INTS:
          node.int_lists[a.name()].assign(a.ints().begin(), a.ints().end());
          break;
        case onnx::AttributeProto::TENSOR:
          // ConstantOfShape's integer fill value, for the shape pass.
          if (node.op_type == "ConstantOfShape" && a.t().dims_size() <= 1) {
            if (a.t().data_type() == onnx::TensorProto::INT64 && a.t().int64_data_size() == 1) {
              node.ints[a.name()] = a.t().int64_data(0);
            } else if (a.t().data_type() == onnx::TensorProto::INT64 && a.t().raw_data().size() == 8) {
              std::int64_t v = 0;
              std::memcpy(&v, a.t().raw_data().data(), sizeof v);
              node.ints[a.name()] = v;
            }
          }
          if (node.op_type == "Constant" && !node.outputs.empty()) {
            g.constants_[node.outputs[0]] = constant_of(a.t(), file);
            g.shapes_[node.outputs[0]] = g.constants_[node.outputs[0]].dims;
          }
          break;
        default:
          break;
      }
    }
    // torch shares equal weights through Identity nodes: the output is the same constant.
    if (node.op_type == "Identity" && !node.outputs.empty() && g.constants_.count(node.inputs[0]) != 0) {
      const OnnxConstant c = g.constants_.at(node.inputs[0]);
      g.constants_[node.outputs[0]] = c;
      g.shapes_[node.outputs[0]] = c.dims;
    }
    const int index = static_cast<int>(g.nodes_.size());
    for (const auto& v : node.inputs) {
      if (!v.empty()) g.consumers_[v].push_back(index);
    }
    for (const auto& v : node.outputs) g.producers_[v] = index;
    g.nodes_.push_back(std::move(node));
  }
  std::map<std::string, std::vector<std::int64_t>> values;
  for (const auto& [name, c] : g.constants_) {
    if ((c.data_type == onnx::TensorProto::INT64 || c.data_type == onnx::TensorProto::INT32) && c.numel() <= 64 &&
        !c.external)
      values[name] = g.read_ints(name);
  }
  detail::propagate_shapes(g.nodes_, g.shapes_, values);
  // A shape too large to count is as good as unknown: the layers that need it say so.
  for (auto it = g.shapes_.begin(); it != g.shapes_.end();) {
    std::int64_t n = 1;
    bool ok = true;
    for (const auto d : it->second) ok = ok && !__builtin_mul_overflow(n, std::max<std::int64_t>(d, 1), &n);
    it = ok && n <= kMaxOnnxElements ? std::next(it) : g.shapes_.erase(it);
  }
  return g;
}

}  // namespace vitdse::model

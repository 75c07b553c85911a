// An OnnxGraph's lookups and constant data, in plain C++: built with or without ONNX.
#include <bit>
#include <fstream>
#include <type_traits>

#include "safetensors_detail.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/model/onnx_graph.hpp"

namespace vitdse::model {

namespace {

// ONNX's TensorProto.DataType codes used here.
constexpr int kFloat = 1, kInt32 = 6, kInt64 = 7, kFloat16 = 10, kDouble = 11;

std::size_t element_bytes(int data_type) {
  switch (data_type) {
    case kFloat:
    case kInt32:
      return 4;
    case kInt64:
    case kDouble:
      return 8;
    case kFloat16:
      return 2;
    default:
      return 0;
  }
}

// The constant's bytes, from the model file or its external data file, checked against its shape.
std::string load_bytes(const OnnxConstant& c, const std::string& name, const std::filesystem::path& model) {
  const auto want = static_cast<std::size_t>(c.numel()) * element_bytes(c.data_type);
  std::string bytes = c.bytes;
  if (c.external) {
    auto in = detail::open_regular_file(*c.external, "the external data of '" + name + "' in " + model.string());
    const std::int64_t length = c.length >= 0 ? c.length : static_cast<std::int64_t>(want);
    if (length != static_cast<std::int64_t>(want))
      throw Error(model.string() + ": constant '" + name + "' has " + std::to_string(length) +
                  " bytes of external data, but its shape needs " + std::to_string(want));
    bytes.resize(static_cast<std::size_t>(length));
    in.seekg(c.offset);
    if (!in.read(bytes.data(), length))
      throw Error(c.external->string() + ": too short for '" + name + "' (" + std::to_string(length) +
                  " bytes at offset " + std::to_string(c.offset) + ")");
  }
  if (bytes.size() != want)
    throw Error(model.string() + ": constant '" + name + "' holds " + std::to_string(bytes.size()) +
                " bytes, but its shape needs " + std::to_string(want));
  return bytes;
}

// Element i of a little-endian array of T, whatever the host's byte order.
template <class T>
T load(const std::string& bytes, std::size_t i) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t,
                                  std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint16_t>>;
  return std::bit_cast<T>(detail::load_le<Bits>(reinterpret_cast<const unsigned char*>(bytes.data()) + i * sizeof(T)));
}

}  // namespace

std::int64_t OnnxConstant::numel() const {
  std::int64_t n = 1;
  for (const auto d : dims) n *= d;
  return n;
}

std::optional<OnnxGraph::Shape> OnnxGraph::shape(const std::string& value) const {
  const auto it = shapes_.find(value);
  if (it == shapes_.end()) return std::nullopt;
  return it->second;
}

const OnnxConstant* OnnxGraph::constant(const std::string& value) const {
  const auto it = constants_.find(value);
  return it == constants_.end() ? nullptr : &it->second;
}

Tensor OnnxGraph::read_floats(const std::string& value) const {
  const OnnxConstant* c = constant(value);
  if (c == nullptr) throw Error(path_.string() + ": '" + value + "' is not a constant of the graph");
  if (c->data_type != kFloat && c->data_type != kFloat16 && c->data_type != kDouble)
    throw Error(path_.string() + ": constant '" + value + "' is not a float tensor (ONNX type " +
                std::to_string(c->data_type) + ")");
  const std::string bytes = load_bytes(*c, value, path_);
  Tensor t{c->dims, std::vector<float>(static_cast<std::size_t>(c->numel()))};
  for (std::size_t i = 0; i < t.data.size(); ++i) {
    t.data[i] = c->data_type == kFloat    ? load<float>(bytes, i)
                : c->data_type == kDouble ? static_cast<float>(load<double>(bytes, i))
                                          : half_to_float(load<std::uint16_t>(bytes, i));
  }
  return t;
}

std::vector<std::int64_t> OnnxGraph::read_ints(const std::string& value) const {
  const OnnxConstant* c = constant(value);
  if (c == nullptr || (c->data_type != kInt64 && c->data_type != kInt32))
    throw Error(path_.string() + ": '" + value + "' is not an integer constant of the graph");
  const std::string bytes = load_bytes(*c, value, path_);
  std::vector<std::int64_t> out(static_cast<std::size_t>(c->numel()));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = c->data_type == kInt64 ? load<std::int64_t>(bytes, i) : load<std::int32_t>(bytes, i);
  return out;
}

std::vector<int> OnnxGraph::consumers(const std::string& value) const {
  const auto it = consumers_.find(value);
  return it == consumers_.end() ? std::vector<int>{} : it->second;
}

std::pair<int, std::string> OnnxGraph::bias_after(const std::string& value, std::int64_t n) const {
  const auto readers = consumers(value);
  if (readers.size() != 1) return {-1, ""};
  const OnnxNode& add = nodes_[static_cast<std::size_t>(readers[0])];
  if (add.op_type != "Add" || add.inputs.size() != 2) return {-1, ""};
  const std::string& other = add.inputs[0] == value ? add.inputs[1] : add.inputs[0];
  const OnnxConstant* bias = constant(other);
  if (bias == nullptr || bias->numel() != n) return {-1, ""};
  return {readers[0], other};
}

int OnnxGraph::producer(const std::string& value) const {
  const auto it = producers_.find(value);
  return it == producers_.end() ? -1 : it->second;
}

}  // namespace vitdse::model

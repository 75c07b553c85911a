// The safetensors reader: header validation, then tensors read on demand and converted.
#include "vitdse/model/safetensors.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "safetensors_detail.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::model {

namespace {

using nlohmann::json;

constexpr std::array kDtypes{Dtype::boolean, Dtype::u8,  Dtype::i8,   Dtype::u16, Dtype::i16,
                             Dtype::u32,     Dtype::i32, Dtype::u64,  Dtype::i64, Dtype::f8_e4m3,
                             Dtype::f8_e5m2, Dtype::f16, Dtype::bf16, Dtype::f32, Dtype::f64};

std::optional<Dtype> parse_dtype(const std::string& name) {
  for (Dtype d : kDtypes) {
    if (to_string(d) == name) return d;
  }
  return std::nullopt;
}

std::string dtype_names() {
  std::vector<std::string> names;
  for (Dtype d : kDtypes) names.push_back(to_string(d));
  return join(names);
}

std::uint64_t read_u64_le(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

/// A non-negative JSON integer, or nothing (floats such as 2.0 or 1e3 are not integers).
std::optional<std::uint64_t> as_count(const json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::uint64_t>();
  return std::nullopt;
}

/// Product of `shape`, or nothing if it does not fit in int64.
std::optional<std::uint64_t> checked_numel(const std::vector<std::int64_t>& shape) {
  std::uint64_t n = 1;
  for (std::int64_t d : shape) {
    if (d == 0) return 0;
  }
  for (std::int64_t d : shape) {
    const auto u = static_cast<std::uint64_t>(d);
    if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) / u) return std::nullopt;
    n *= u;
  }
  return n;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::vector<std::string> dims;
  for (std::int64_t d : shape) dims.push_back(std::to_string(d));
  return "[" + join(dims) + "]";
}

class HeaderParser {
 public:
  HeaderParser(std::string file, std::uint64_t buffer_bytes) : file_(std::move(file)), buffer_(buffer_bytes) {}

  [[nodiscard]] Error error(const std::string& message) const { return Error(printable(file_ + ": " + message)); }

  std::map<std::string, std::string> metadata(const json& value) const {
    if (!value.is_object()) throw error("'__metadata__' must be an object of string values");
    std::map<std::string, std::string> out;
    for (const auto& [key, v] : value.items()) {
      if (!v.is_string()) throw error("'__metadata__' entry " + quoted_value(key) + " must be a string");
      out[key] = v.get<std::string>();
    }
    return out;
  }

  TensorInfo tensor(const std::string& name, const json& entry) const {
    const std::string what = "tensor " + quoted_value(name);
    if (!entry.is_object()) throw error(what + " must be an object with dtype, shape and data_offsets");
    for (const auto& [key, v] : entry.items()) {
      (void)v;
      if (key != "dtype" && key != "shape" && key != "data_offsets") {
        throw error(what + " has unknown key " + quoted_value(key) + "; allowed: dtype, shape, data_offsets");
      }
    }
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
      if (!entry.contains(key))
        throw error(what + " has no '" + key + "'; each tensor needs dtype, shape, data_offsets");
    }
    TensorInfo info;
    info.name = name;

    const auto& dtype = entry.at("dtype");
    if (!dtype.is_string()) throw error(what + ": 'dtype' must be a string, one of " + dtype_names());
    const auto parsed = parse_dtype(dtype.get<std::string>());
    if (!parsed) {
      throw error(what + " has unknown dtype " + quoted_value(dtype.get<std::string>()) +
                  "; allowed: " + dtype_names());
    }
    info.dtype = *parsed;

    const auto& shape = entry.at("shape");
    if (!shape.is_array()) throw error(what + ": 'shape' must be a list of non-negative integers");
    for (const auto& d : shape) {
      const auto dim = as_count(d);
      if (!dim || *dim > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw error(what + ": 'shape' " + d.dump() + " is not a non-negative integer");
      }
      info.shape.push_back(static_cast<std::int64_t>(*dim));
    }

    const auto& offsets = entry.at("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2 || !as_count(offsets[0]) || !as_count(offsets[1])) {
      throw error(what + ": 'data_offsets' must be [begin, end], two non-negative integers");
    }
    info.begin = *as_count(offsets[0]);
    info.end = *as_count(offsets[1]);
    if (info.begin > info.end) {
      throw error(what + " has data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
                  "] with begin after end");
    }
    if (info.end > buffer_) {
      throw error(what + " has data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
                  "] past the end of the " + std::to_string(buffer_) +
                  "-byte data buffer; the file is truncated or the offsets are wrong");
    }
    const auto numel = checked_numel(info.shape);
    const std::uint64_t size = dtype_size(info.dtype);
    if (!numel || *numel > buffer_ / size || *numel * size != info.bytes()) {
      throw error(what + " spans " + std::to_string(info.bytes()) + " bytes but shape " + shape_text(info.shape) +
                  " of " + to_string(info.dtype) + " needs " +
                  (numel && *numel <= buffer_ / size ? std::to_string(*numel * size) : std::string("more")) +
                  "; data_offsets must cover exactly product(shape) x dtype size");
    }
    return info;
  }

  /// No two non-empty byte ranges may share a byte.
  void check_overlaps(const std::map<std::string, TensorInfo>& tensors) const {
    std::vector<const TensorInfo*> order;
    for (const auto& [name, info] : tensors) {
      if (info.bytes() > 0) order.push_back(&info);
    }
    std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
      return std::pair(a->begin, a->end) < std::pair(b->begin, b->end);
    });
    for (std::size_t i = 1; i < order.size(); ++i) {
      if (order[i]->begin < order[i - 1]->end) {
        throw error("tensors " + quoted_value(order[i - 1]->name) + " and " + quoted_value(order[i]->name) +
                    " overlap in the data buffer; each tensor needs its own bytes");
      }
    }
  }

 private:
  std::string file_;
  std::uint64_t buffer_;
};

}  // namespace

std::int64_t Tensor::numel() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::int64_t TensorInfo::numel() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

SafetensorsFile::SafetensorsFile(std::filesystem::path path) : path_(std::move(path)) {
  const std::string file = path_.string();
  std::ifstream in = detail::open_regular_file(path_, "a .safetensors file");
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  if (end < 0) throw Error(printable(file + ": cannot determine the file size"));
  file_size_ = static_cast<std::uint64_t>(end);
  in.seekg(0);
  if (file_size_ < 8) {
    throw Error(printable(file + ": " + std::to_string(file_size_) +
                          " bytes is too short for a safetensors file (it starts with an 8-byte header length)"));
  }
  std::array<unsigned char, 8> prefix{};
  in.read(reinterpret_cast<char*>(prefix.data()), 8);
  const std::uint64_t header_bytes = read_u64_le(prefix.data());
  if (header_bytes > kMaxHeaderBytes) {
    throw Error(printable(file + ": header length " + std::to_string(header_bytes) +
                          " is over the 100 MB limit; the file is corrupt or not a safetensors file"));
  }
  if (header_bytes > file_size_ - 8) {
    throw Error(printable(file + ": header length " + std::to_string(header_bytes) +
                          " runs past the end of the file (" + std::to_string(file_size_) +
                          " bytes); the file is truncated or not a safetensors file"));
  }
  std::string text(static_cast<std::size_t>(header_bytes), '\0');
  in.read(text.data(), static_cast<std::streamsize>(header_bytes));
  if (!in) throw Error(printable(file + ": cannot read the " + std::to_string(header_bytes) + "-byte header"));
  data_start_ = 8 + header_bytes;

  // Parse, noting a repeated top-level key (nlohmann would silently keep the last one).
  std::optional<std::string> duplicate;
  std::set<std::string> seen;
  json header;
  try {
    header = json::parse(text, [&](int depth, json::parse_event_t event, json& parsed) {
      if (depth == 1 && event == json::parse_event_t::key && !duplicate) {
        const auto& key = parsed.get_ref<const std::string&>();
        if (!seen.insert(key).second) duplicate = key;
      }
      return true;
    });
  } catch (const json::exception& e) {
    throw Error(printable(file + ": header is not valid JSON (" + detail::json_message(e) + ")"));
  }
  if (!header.is_object()) {
    throw Error(printable(file + ": header must be a JSON object mapping tensor names to entries, not " +
                          std::string(header.type_name())));
  }
  HeaderParser parser(file, file_size_ - data_start_);
  if (duplicate) throw parser.error("header names " + quoted_value(*duplicate) + " twice; tensor names must be unique");
  try {
    for (const auto& [name, entry] : header.items()) {
      if (name == "__metadata__") {
        metadata_ = parser.metadata(entry);
      } else {
        tensors_.emplace(name, parser.tensor(name, entry));
      }
    }
  } catch (const json::exception& e) {
    throw parser.error("malformed header (" + detail::json_message(e) + ")");
  }
  parser.check_overlaps(tensors_);
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& [name, info] : tensors_) out.push_back(name);
  return out;
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it != tensors_.end()) return it->second;
  const auto all = names();
  std::vector<std::string> some(all.begin(),
                                all.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(5, all.size())));
  std::string available = all.empty() ? "the file holds no tensors"
                                      : "available: " + join(some) + (all.size() > some.size() ? ", ..." : "") + " (" +
                                            std::to_string(all.size()) + " in all)";
  throw Error(
      printable(path_.string() + ": no tensor " + quoted_value(name) + did_you_mean(name, all) + "; " + available));
}

template <class Sink>
void SafetensorsFile::read_chunks(const TensorInfo& tensor, Sink&& sink) const {
  if (tensor.bytes() == 0) return;
  std::ifstream in = detail::open_regular_file(path_, "a .safetensors file");
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  if (end < 0 || static_cast<std::uint64_t>(end) != file_size_) {
    throw Error(printable(path_.string() + ": the file changed size since it was opened; open it again"));
  }
  in.seekg(static_cast<std::streamoff>(data_start_ + tensor.begin));
  const std::size_t element = dtype_size(tensor.dtype);
  const std::size_t chunk = (std::size_t{1} << 20) / element * element;
  std::vector<unsigned char> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(chunk, tensor.bytes())));
  std::uint64_t left = tensor.bytes();
  while (left > 0) {
    const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left));
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(count));
    if (!in) {
      throw Error(printable(path_.string() + ": cannot read tensor " + quoted_value(tensor.name) +
                            "; the file is truncated or unreadable"));
    }
    sink(buffer.data(), count);
    left -= count;
  }
}

Tensor SafetensorsFile::read_f32(const std::string& name) const {
  const TensorInfo& tensor = info(name);
  if (!is_float_dtype(tensor.dtype)) {
    throw Error(printable(path_.string() + ": tensor " + quoted_value(name) + " is " + to_string(tensor.dtype) +
                          "; a float tensor (F16, BF16, F32 or F64) is needed"));
  }
  Tensor out;
  out.shape = tensor.shape;
  out.data.reserve(static_cast<std::size_t>(tensor.numel()));
  read_chunks(tensor, [&](const unsigned char* p, std::size_t count) {
    switch (tensor.dtype) {
      case Dtype::f16:
        for (std::size_t i = 0; i < count; i += 2)
          out.data.push_back(half_to_float(detail::load_le<std::uint16_t>(p + i)));
        break;
      case Dtype::bf16:
        for (std::size_t i = 0; i < count; i += 2) {
          out.data.push_back(bfloat16_to_float(detail::load_le<std::uint16_t>(p + i)));
        }
        break;
      case Dtype::f32:
        for (std::size_t i = 0; i < count; i += 4) {
          out.data.push_back(std::bit_cast<float>(detail::load_le<std::uint32_t>(p + i)));
        }
        break;
      default:  // f64
        for (std::size_t i = 0; i < count; i += 8) {
          out.data.push_back(static_cast<float>(std::bit_cast<double>(detail::load_le<std::uint64_t>(p + i))));
        }
        break;
    }
  });
  return out;
}

std::vector<std::int64_t> SafetensorsFile::read_i64(const std::string& name) const {
  const TensorInfo& tensor = info(name);
  if (is_float_dtype(tensor.dtype) || tensor.dtype == Dtype::f8_e4m3 || tensor.dtype == Dtype::f8_e5m2) {
    throw Error(printable(path_.string() + ": tensor " + quoted_value(name) + " is " + to_string(tensor.dtype) +
                          "; an integer tensor (BOOL, U8, I8, U16, I16, U32, I32, U64 or I64) is needed"));
  }
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(tensor.numel()));
  const std::size_t size = dtype_size(tensor.dtype);
  read_chunks(tensor, [&](const unsigned char* p, std::size_t count) {
    for (std::size_t i = 0; i < count; i += size) {
      const unsigned char* e = p + i;
      std::int64_t v = 0;
      switch (tensor.dtype) {
        case Dtype::i8:
          v = static_cast<std::int8_t>(e[0]);
          break;
        case Dtype::u16:
          v = detail::load_le<std::uint16_t>(e);
          break;
        case Dtype::i16:
          v = static_cast<std::int16_t>(detail::load_le<std::uint16_t>(e));
          break;
        case Dtype::u32:
          v = detail::load_le<std::uint32_t>(e);
          break;
        case Dtype::i32:
          v = static_cast<std::int32_t>(detail::load_le<std::uint32_t>(e));
          break;
        case Dtype::i64:
          v = static_cast<std::int64_t>(detail::load_le<std::uint64_t>(e));
          break;
        case Dtype::u64: {
          const auto u = detail::load_le<std::uint64_t>(e);
          if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            throw Error(printable(path_.string() + ": tensor " + quoted_value(name) + " holds U64 value " +
                                  std::to_string(u) + ", beyond the int64 range"));
          }
          v = static_cast<std::int64_t>(u);
          break;
        }
        default:  // boolean, u8
          v = e[0];
          break;
      }
      out.push_back(v);
    }
  });
  return out;
}

std::vector<std::uint8_t> SafetensorsFile::read_raw(const std::string& name) const {
  const TensorInfo& tensor = info(name);
  std::vector<std::uint8_t> out;
  out.reserve(static_cast<std::size_t>(tensor.bytes()));
  read_chunks(tensor, [&](const unsigned char* p, std::size_t count) { out.insert(out.end(), p, p + count); });
  return out;
}

}  // namespace vitdse::model

// The safetensors writer: float32 tensors stored as F32, F16 or BF16 with a padded JSON header.
#include <bit>
#include <limits>

#include <nlohmann/json.hpp>

#include "safetensors_detail.hpp"
#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::model {

namespace {

/// Elements per write: the stored bytes are built and written a block at a time.
constexpr std::size_t kBlock = 1 << 16;

void append_values(std::string& out, const float* values, std::size_t count, Dtype dtype) {
  for (std::size_t i = 0; i < count; ++i) {
    switch (dtype) {
      case Dtype::f16:
        detail::store_le(out, float_to_half(values[i]));
        break;
      case Dtype::bf16:
        detail::store_le(out, float_to_bfloat16(values[i]));
        break;
      default:  // f32
        detail::store_le(out, std::bit_cast<std::uint32_t>(values[i]));
        break;
    }
  }
}

}  // namespace

void write_safetensors(const std::filesystem::path& path, const std::map<std::string, Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata, Dtype dtype) {
  const std::string file = path.string();
  if (dtype != Dtype::f32 && dtype != Dtype::f16 && dtype != Dtype::bf16) {
    throw Error(file + ": cannot write dtype " + to_string(dtype) + "; the writer stores F32, F16 or BF16");
  }
  const std::uint64_t element = dtype_size(dtype);

  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {  // std::map: sorted by name
    if (name == "__metadata__") throw Error(file + ": '__metadata__' is reserved and cannot name a tensor");
    std::uint64_t numel = 1;
    for (std::int64_t d : tensor.shape) {
      if (d < 0) throw Error(printable(file + ": tensor " + quoted_value(name) + " has a negative dimension"));
      const auto u = static_cast<std::uint64_t>(d);
      if (u != 0 && numel > std::numeric_limits<std::uint64_t>::max() / element / u) {
        throw Error(printable(file + ": tensor " + quoted_value(name) + " has a shape too large to store"));
      }
      numel *= u;
    }
    if (numel != tensor.data.size()) {
      throw Error(printable(file + ": tensor " + quoted_value(name) + " has " + std::to_string(tensor.data.size()) +
                            " values but its shape needs " + std::to_string(numel)));
    }
    const std::uint64_t bytes = numel * element;
    header[name] = {{"dtype", to_string(dtype)}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }

  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    throw Error(printable(file + ": cannot write the header (" + detail::json_message(e) +
                          "); names and metadata must be valid UTF-8"));
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  // Atomic, so a reader, a crash or a full disk never leaves half a file.
  AtomicFile out(path);
  std::string bytes;
  detail::store_le<std::uint64_t>(bytes, text.size());
  bytes += text;
  out.write(bytes);
  for (const auto& [name, tensor] : tensors) {
    for (std::size_t i = 0; i < tensor.data.size(); i += kBlock) {
      bytes.clear();
      append_values(bytes, tensor.data.data() + i, std::min(kBlock, tensor.data.size() - i), dtype);
      out.write(bytes);
    }
  }
  out.commit();
}

}  // namespace vitdse::model

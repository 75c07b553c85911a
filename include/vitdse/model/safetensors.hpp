// safetensors files: a validating reader (F32/F16/BF16/F64 to float32) and an F32/F16/BF16 writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace vitdse::model {

/// The element types of the safetensors format. Every one can be listed; `read_f32` converts
/// the float types, `read_i64` the integer types and BOOL; F8 tensors can only be read raw.
enum class Dtype { boolean, u8, i8, u16, i16, u32, i32, u64, i64, f8_e4m3, f8_e5m2, f16, bf16, f32, f64 };

/// The name used in the file header: "F32", "BF16", "BOOL", ...
std::string to_string(Dtype dtype);
/// Bytes per element.
std::size_t dtype_size(Dtype dtype);
/// True for F16, BF16, F32 and F64: the dtypes `SafetensorsFile::read_f32` converts.
bool is_float_dtype(Dtype dtype);

/// A dense float32 tensor, C-contiguous: `data.size()` is the product of `shape`.
///
///     Tensor t{{2, 3}, {1, 2, 3, 4, 5, 6}};   // a 2x3 matrix
struct Tensor {
  std::vector<std::int64_t> shape;
  std::vector<float> data;

  /// Product of the dimensions (1 for a scalar, 0 if any dimension is 0).
  [[nodiscard]] std::int64_t numel() const;
};

/// One header entry, validated: `end - begin == numel() * dtype_size(dtype)` and the range lies
/// inside the data buffer, overlapping no other tensor.
struct TensorInfo {
  std::string name;
  Dtype dtype = Dtype::f32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;  ///< data_offsets, relative to the start of the data buffer
  std::uint64_t end = 0;

  [[nodiscard]] std::int64_t numel() const;
  [[nodiscard]] std::uint64_t bytes() const { return end - begin; }
};

/// A safetensors file opened for reading. The constructor reads and validates the whole header
/// (8-byte little-endian length, JSON header, offsets against the file size); tensors are read
/// on demand from the file, so opening a large checkpoint is cheap. Every problem with the file
/// is a one-line vitdse::Error naming it.
///
///     SafetensorsFile weights("models/deit-small.safetensors");
///     for (const auto& name : weights.names()) std::cout << name << "\n";
///     Tensor w = weights.read_f32("blocks.0.attn.qkv.weight");   // F32, F16 or BF16 on disk
class SafetensorsFile {
 public:
  /// Headers longer than this are rejected as corrupt.
  static constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

  explicit SafetensorsFile(std::filesystem::path path);

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// Tensor names, sorted.
  [[nodiscard]] std::vector<std::string> names() const;
  [[nodiscard]] bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  /// The entry for `name`; an unknown name throws, suggesting close and available names.
  [[nodiscard]] const TensorInfo& info(const std::string& name) const;
  /// The "__metadata__" object (empty if absent).
  [[nodiscard]] const std::map<std::string, std::string>& metadata() const { return metadata_; }

  /// The tensor as float32. F16, BF16, F32 and F64 (rounded to nearest) are converted; any other
  /// dtype throws an Error saying so.
  [[nodiscard]] Tensor read_f32(const std::string& name) const;
  /// The tensor as int64, for BOOL, U8, I8, U16, I16, U32, I32, I64 and U64 (values above the
  /// int64 range throw). Float dtypes throw.
  [[nodiscard]] std::vector<std::int64_t> read_i64(const std::string& name) const;
  /// The tensor's bytes exactly as stored (little-endian, C-contiguous).
  [[nodiscard]] std::vector<std::uint8_t> read_raw(const std::string& name) const;

 private:
  /// Streams the tensor's bytes to `sink(bytes, count)` in chunks of whole elements.
  template <class Sink>
  void read_chunks(const TensorInfo& info, Sink&& sink) const;

  std::filesystem::path path_;
  std::uint64_t file_size_ = 0;
  std::uint64_t data_start_ = 0;  ///< 8 + header length
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

/// Writes `tensors` (name -> float32 tensor) as a safetensors file of one `dtype` (F32, F16 or
/// BF16), names sorted, data packed in name order, the JSON header padded with spaces to a
/// multiple of 8 bytes and "__metadata__" written when `metadata` is not empty. F32 files read
/// back bit for bit; F16/BF16 round to nearest even.
///
///     write_safetensors("out.safetensors", {{"head.weight", {{10, 64}, weights}}}, {{"format", "pt"}});
void write_safetensors(const std::filesystem::path& path, const std::map<std::string, Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {}, Dtype dtype = Dtype::f32);

/// IEEE binary16 to float, exact for every input (subnormals, infinities, NaN payloads).
///
///     half_to_float(0x3c00) == 1.0f;  half_to_float(0x0001) == 0x1p-24f
float half_to_float(std::uint16_t bits);
/// Float to IEEE binary16, round to nearest even; overflow gives infinity, NaN stays NaN.
std::uint16_t float_to_half(float value);
/// bfloat16 (the top 16 bits of a float) to float, exact.
///
///     bfloat16_to_float(0x4049) == 3.140625f
float bfloat16_to_float(std::uint16_t bits);
/// Float to bfloat16, round to nearest even; NaN stays NaN.
std::uint16_t float_to_bfloat16(float value);

}  // namespace vitdse::model

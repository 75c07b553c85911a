// Process-wide allocator settings for the compute-heavy commands, and cache-line-aligned vectors.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace vitdse {

/// Makes glibc's malloc serve large blocks from its heap and keep freed memory instead of
/// mapping and unmapping pages for every matrix. The forward and backward passes allocate
/// many short-lived matrices of a few hundred kilobytes; with glibc's defaults each one costs
/// fresh zeroed pages from the kernel, which made training 3-4x slower (bench/train_bench.cpp).
/// A no-op on other C libraries.
void keep_freed_memory();

/// Storage that starts on a 64-byte boundary, so that a kernel's aligned vector loads never
/// straddle two cache lines (malloc's 16-byte alignment makes half of all 32-byte loads do so).
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheLineAllocator() = default;
  template <class U>
  explicit CacheLineAllocator(const CacheLineAllocator<U>& /*other*/) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, std::size_t /*n*/) { ::operator delete(p, kAlignment); }
  friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator&) { return true; }
};

template <class T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

}  // namespace vitdse

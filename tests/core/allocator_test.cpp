// The allocator settings take effect: large blocks come from malloc's heap, not from mmap.
#include "vitdse/core/allocator.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "test_util.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace vitdse {
namespace {

TEST(Allocator, LargeBlocksComeFromTheHeapAfterKeepFreedMemory) {
#if defined(__GLIBC__) && !defined(VITDSE_ASAN)
  keep_freed_memory();
  const auto mapped_before = mallinfo2().hblks;  // libraries may have mapped blocks at start-up
  void* block = std::malloc(8 << 20);            // above glibc's default 128 KiB mmap threshold
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(mallinfo2().hblks, mapped_before)
      << "an 8 MiB block was mapped on its own: the mmap threshold was not raised";
  std::free(block);
#else
  GTEST_SKIP() << "glibc's malloc only (sanitizers replace it)";
#endif
}

}  // namespace
}  // namespace vitdse

// Process-wide allocator settings for the compute-heavy commands.
#pragma once

namespace vitdse {

/// Makes glibc's malloc serve large blocks from its heap and keep freed memory instead of
/// mapping and unmapping pages for every matrix. The forward and backward passes allocate
/// many short-lived matrices of a few hundred kilobytes; with glibc's defaults each one costs
/// fresh zeroed pages from the kernel, which made training 3-4x slower (bench/train_bench.cpp).
/// A no-op on other C libraries.
void keep_freed_memory();

}  // namespace vitdse

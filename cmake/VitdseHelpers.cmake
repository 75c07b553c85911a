# Per-target helpers for warnings and sanitizers, so each target opts in explicitly.

function(vitdse_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wunused
                         -Woverloaded-virtual -Wimplicit-fallthrough)
  # GCC 12 reports false (maybe-)uninitialized warnings inside its own AVX-512 intrinsics when
  # Eigen inlines them (GCC bug 105593); Clang's build keeps both warnings.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -Wno-uninitialized)
  endif()
  if(VITDSE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(vitdse_enable_sanitizers target)
  if(VITDSE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                           -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

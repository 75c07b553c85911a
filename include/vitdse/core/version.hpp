// The library's version, as set by the build (PROJECT_VERSION).
#pragma once

namespace vitdse {

/// e.g. "0.1.0"
const char* version();

}  // namespace vitdse

// Version string baked in by CMake.
#include "vitdse/core/version.hpp"

namespace vitdse {

const char* version() { return VITDSE_VERSION; }

}  // namespace vitdse

#pragma once

#include <string_view>

namespace fireside {

// The Fireside version, as set in the top-level CMakeLists.txt.
std::string_view version();

} // namespace fireside

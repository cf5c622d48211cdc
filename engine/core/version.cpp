#include "engine/core/version.h"

namespace fireside {

std::string_view version() { return FIRESIDE_VERSION; }

} // namespace fireside

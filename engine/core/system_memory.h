#pragma once

#include <cstdint>
#include <optional>

namespace fireside {

// Bytes of memory the system could hand out now without swapping (free memory plus caches it can
// drop), or nothing where the system does not say.
std::optional<uint64_t> available_memory_bytes();

} // namespace fireside

#pragma once

#include "engine/model/kv_cache.h"
#include "engine/model/rope.h"

#include <cstdint>

namespace fireside {

// Moves the cached keys and values of positions [begin, end) to [begin + delta, end + delta), as if
// those tokens had been evaluated there: RoPE is a rotation by an angle proportional to the position,
// so a cached key rotated once more by the angle of `delta` carries its new position, and values carry
// no position at all. With delta < 0 this removes the positions [begin + delta, begin) from the
// context (the usual "drop old turns, keep the rest" of a full context). Whatever the moved rows leave
// behind past the new end is stale and must be overwritten before it is attended to.
// Throws Error for a range outside the cache.
void shift_kv_positions(KvCache& cache, const RopeParams& rope, int64_t begin, int64_t end, int64_t delta);

} // namespace fireside

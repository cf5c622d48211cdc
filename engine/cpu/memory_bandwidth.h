#pragma once

#include <cstdint>

namespace fireside {

class ThreadPool;

// Measures how fast the pool's threads together can stream-read memory, in bytes per second: a
// buffer of `bytes` (far larger than the caches) is split across the threads and summed, and the
// best of `repetitions` passes counts. Token generation reads every weight once per token, so this is
// the ceiling for its speed.
double measure_read_bandwidth(ThreadPool& pool, uint64_t bytes = uint64_t{1} << 30, int repetitions = 5);

// The same over memory that already exists (for example a model's mapped weights), read as it is.
double measure_read_bandwidth_of(ThreadPool& pool, const void* data, uint64_t bytes, int repetitions = 5);

} // namespace fireside

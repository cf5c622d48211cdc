#pragma once

#include "engine/quant/block_type.h"

#include <cstdint>

namespace fireside {

class ThreadPool;

// How fast one weight format's matrix x vector product streams weights on this machine: the
// generation step's work for that format, apart from everything else a model does per token.
struct KernelSpeed {
    BlockType type = BlockType::F32;
    const char* isa = "";     // the kernel family the product ran on
    double bytes_per_s = 0.0; // weight bytes read per second, best of the repetitions
};

// Times y = W x for one token over `bytes` of random weights in `type` (rows of 4096 values, far
// more than the caches hold) on the pool's threads; the best of `repetitions` runs.
KernelSpeed measure_matvec_speed(BlockType type, ThreadPool& pool, uint64_t bytes = uint64_t{256} << 20,
                                 int repetitions = 10);

} // namespace fireside

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
    bool packed = false;      // the weights were repacked for the type's packed kernel (PackedWeights)
};

// Times y = W x for one token over `bytes` of random weights in `type` (rows of 4096 values, far
// more than the caches hold) on the pool's threads; the best of `repetitions` runs. `packed`: with the
// weights repacked for the type's packed kernel, as a model's CPU layers are (the caller checks that
// there is one: DotKernel::packed).
KernelSpeed measure_matvec_speed(BlockType type, ThreadPool& pool, uint64_t bytes = uint64_t{256} << 20,
                                 int repetitions = 10, bool packed = false);

} // namespace fireside

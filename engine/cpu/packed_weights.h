#pragma once

#include "engine/core/large_buffer.h"
#include "engine/cpu/matmul.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

namespace fireside {

class ThreadPool;

// Weight matrices copied out of the model file into memory of their own, with the rows repacked
// sixteen at a time where this machine has a packed kernel for their type (DotKernel::packed): a
// kernel then loads each code word of sixteen rows as one register instead of gathering it, which
// makes one-token products several times cheaper in instructions, enough to keep up with memory.
// The copy sits in a LargeBuffer (2 MiB pages where the system offers them). It takes as many bytes as the
// matrices in the file.
class PackedWeights {
public:
    // Called with (bytes done, bytes total); returning false stops the copy (throws Cancelled).
    using Progress = std::function<bool(uint64_t, uint64_t)>;

    // The bytes the copy of these matrices takes.
    static uint64_t bytes_for(std::span<const WeightMatrix* const> matrices);
    // Whether any of them has a packed kernel on this machine (otherwise a copy gains little).
    static bool any_packable(std::span<const WeightMatrix* const> matrices);

    // Copies every matrix (repacked where it can be) and points each at its copy.
    PackedWeights(std::span<WeightMatrix* const> matrices, ThreadPool& pool, const Progress& progress = {});

    // The memory that holds the copies (what one generated token reads, apart from an embedding row).
    std::span<const std::byte> memory() const { return {memory_.data(), memory_.size()}; }

private:
    LargeBuffer memory_;
};

} // namespace fireside

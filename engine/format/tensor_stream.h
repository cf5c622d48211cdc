#pragma once

#include "engine/quant/block_type.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fireside {

class AtomicFileWriter;

// A tensor as a writer will store it: its name in the target container, its stored type and shape.
struct TensorToWrite {
    std::string name;
    BlockType type = BlockType::F32;
    std::vector<int64_t> ne; // ne[0] is the row length

    int64_t n_rows() const;
    uint64_t n_bytes() const;
};

// Produces the stored bytes of rows [first_row, first_row + n_rows) of tensors[tensor] into `out`
// (n_rows * row_bytes bytes). Writers ask for a tensor's rows in order, a block of rows at a time, so
// no more than one block of a tensor ever needs to be in memory.
using RowProducer = std::function<void(size_t tensor, int64_t first_row, int64_t n_rows, std::byte* out)>;

struct WriteProgress {
    size_t tensor = 0; // index of the tensor being written
    size_t n_tensors = 0;
    std::string_view name;
    BlockType type = BlockType::F32;
    uint64_t bytes_done = 0; // tensor data written so far, all tensors
    uint64_t bytes_total = 0;
};
// Called after every block of rows; may throw Cancelled to stop (the partial file is removed).
using ProgressCallback = std::function<void(const WriteProgress&)>;

// Rows per block for a row length: about a million values, at least one row.
int64_t rows_per_block(int64_t row_length);

// Throws Error naming `target` and the tensor when a shape cannot be stored (no dimensions, a
// non-positive dimension, a row that is not a whole number of blocks, absurd sizes).
void check_tensors_to_write(std::span<const TensorToWrite> tensors, std::string_view target);

// Writes the data of tensors[index] through `rows`, block by block, reporting progress.
void stream_tensor_data(AtomicFileWriter& out, std::span<const TensorToWrite> tensors, size_t index,
                        const RowProducer& rows, uint64_t& bytes_done, uint64_t bytes_total,
                        const ProgressCallback& progress);

} // namespace fireside

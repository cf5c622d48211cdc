#pragma once

#include "engine/quant/block_type.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fireside {

class ThreadPool;

// A weight matrix: n_rows rows of n_cols values in `type`, row after row as a model file stores them,
// or (packed) repacked sixteen rows at a time by its type's packed kernel (see PackedWeights), in as
// many bytes.
struct WeightMatrix {
    BlockType type = BlockType::F32;
    int64_t n_cols = 0;
    int64_t n_rows = 0;
    const void* data = nullptr;
    size_t row_bytes = 0;
    bool packed = false;
};

// Reusable memory for the activation rows converted to the weights' vec_dot_type (one buffer per
// distinct format of a matmul_group).
struct MatmulScratch {
    std::vector<std::vector<std::byte>> quantized;
    std::vector<std::vector<std::byte>> arranged; // for kernels that reorder their activations
};

// One product of a group that shares its input: y = W x.
struct MatmulJob {
    const WeightMatrix* w = nullptr;
    float* y = nullptr;
};

// y[t * w.n_rows + r] = W[r] · x[t * w.n_cols ...] for t < n_tokens. The activation rows are first
// converted once to the weight type's vec_dot_type (8-bit blocks for quantized weights, as the
// reference engine does), then weight rows are split across the pool's threads.
void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
            MatmulScratch& scratch);

// Several products of the same input x (Q/K/V, or the gate and up projections): x is converted once
// per activation format, and the products' tiles share one pass over the thread pool. All matrices
// must have the same n_cols.
void matmul_group(const MatmulJob* jobs, int n_jobs, const float* x, int64_t n_tokens, ThreadPool& pool,
                  MatmulScratch& scratch);

// Converts n_tokens rows of n values to `type`, rows row_bytes apart, with `quantize` or (nullptr) the
// block table's quantizer.
void quantize_rows(BlockType type, const float* x, int64_t n, int64_t n_tokens, std::byte* out,
                   ThreadPool& pool, void (*quantize)(const float*, void*, int64_t) = nullptr);

} // namespace fireside

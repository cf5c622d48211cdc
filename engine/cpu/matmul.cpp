#include "engine/cpu/matmul.h"

#include "engine/core/error.h"
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/thread_pool.h"

#include <algorithm>
#include <fmt/format.h>

namespace fireside {
namespace {

// Activation rows per task in prompt batches: enough to reuse each weight block many times, few
// enough that their quantized form stays in the core's L2 cache.
constexpr int64_t kTokensPerTask = 64;

} // namespace

void quantize_rows(BlockType type, const float* x, int64_t n, int64_t n_tokens, std::byte* out,
                   ThreadPool& pool, void (*quantize)(const float*, void*, int64_t)) {
    const BlockTraits& traits = block_traits(type);
    if (!quantize) quantize = traits.quantize_row;
    if (!quantize) throw Error(fmt::format("no quantizer for the activation format {}", traits.name));
    const size_t stride = row_bytes(type, n);
    if (n_tokens < 4) {
        for (int64_t t = 0; t < n_tokens; ++t) quantize(x + t * n, out + static_cast<size_t>(t) * stride, n);
        return;
    }
    pool.parallel_for(n_tokens,
                      [&](int64_t t, int) { quantize(x + t * n, out + static_cast<size_t>(t) * stride, n); });
}

void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
            MatmulScratch& scratch) {
    if (n_tokens <= 0 || w.n_rows <= 0) return;
    const BlockTraits& traits = block_traits(w.type);
    const DotKernel& kernel = best_dot_kernel(w.type);
    if (!kernel.tile)
        throw Error(fmt::format("matrix products with {} weights are not supported on the CPU", traits.name));
    const BlockType act_type = traits.vec_dot_type;
    const size_t act_stride = row_bytes(act_type, w.n_cols);
    const std::byte* act = nullptr;
    if (act_type == BlockType::F32) {
        act = reinterpret_cast<const std::byte*>(x);
    } else {
        scratch.quantized.resize(act_stride * static_cast<size_t>(n_tokens));
        quantize_rows(act_type, x, w.n_cols, n_tokens, scratch.quantized.data(), pool, kernel.quantize);
        act = scratch.quantized.data();
    }

    // Split the rows into chunks: at least a few per thread so that threads slowed down by other
    // programs do not hold the others up, and a whole number of weight tiles per chunk.
    const int64_t n_threads = pool.n_threads();
    const int64_t token_blocks = (n_tokens + kTokensPerTask - 1) / kTokensPerTask;
    const int64_t want_chunks = std::max<int64_t>(1, (n_threads * 4 + token_blocks - 1) / token_blocks);
    int64_t rows_per_chunk = std::max<int64_t>(16, (w.n_rows + want_chunks - 1) / want_chunks);
    rows_per_chunk = (rows_per_chunk + kernel.max_w - 1) / kernel.max_w * kernel.max_w;
    const int64_t row_chunks = (w.n_rows + rows_per_chunk - 1) / rows_per_chunk;
    const auto* wdata = static_cast<const std::byte*>(w.data);

    pool.parallel_for(row_chunks * token_blocks, [&](int64_t task, int) {
        const int64_t chunk = task % row_chunks;
        const int64_t tblock = task / row_chunks;
        const int64_t r0 = chunk * rows_per_chunk, r1 = std::min(w.n_rows, r0 + rows_per_chunk);
        const int64_t t0 = tblock * kTokensPerTask, t1 = std::min(n_tokens, t0 + kTokensPerTask);
        for (int64_t r = r0; r < r1; r += kernel.max_w) {
            const int nw = static_cast<int>(std::min<int64_t>(kernel.max_w, r1 - r));
            for (int64_t t = t0; t < t1; t += kernel.max_a) {
                const int na = static_cast<int>(std::min<int64_t>(kernel.max_a, t1 - t));
                kernel.tile(w.n_cols, wdata + static_cast<size_t>(r) * w.row_bytes, w.row_bytes, nw,
                            act + static_cast<size_t>(t) * act_stride, act_stride, na, y + t * w.n_rows + r,
                            static_cast<size_t>(w.n_rows));
            }
        }
    });
}

} // namespace fireside

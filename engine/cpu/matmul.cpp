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

constexpr int kMaxJobs = 4;

constexpr int64_t kChunksPerThread = 16;

// One product of a group, planned: its kernel, its converted input, and how its rows are chunked.
struct PlannedJob {
    const WeightMatrix* w = nullptr;
    float* y = nullptr;
    const DotKernel* kernel = nullptr;
    const std::byte* act = nullptr;
    size_t act_stride = 0;
    int64_t rows_per_chunk = 0;
    int64_t row_chunks = 0;
};

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

namespace {

// The activation rows of job `slot` in the form its kernel reads: vec_dot_type rows, rearranged
// afterwards where the kernel has an order of its own.
const std::byte* convert_activations(const DotKernel& kernel, const float* x, int64_t n, int64_t n_tokens,
                                     ThreadPool& pool, MatmulScratch& scratch, int slot) {
    const BlockType act_type = block_traits(kernel.type).vec_dot_type;
    const size_t plain_stride = row_bytes(act_type, n);
    auto& plain = scratch.quantized[static_cast<size_t>(slot)];
    plain.resize(plain_stride * static_cast<size_t>(n_tokens));
    quantize_rows(act_type, x, n, n_tokens, plain.data(), pool, kernel.quantize);
    if (!kernel.arrange) return plain.data();
    const size_t stride = activation_row_bytes(kernel, n);
    auto& arranged = scratch.arranged[static_cast<size_t>(slot)];
    arranged.resize(stride * static_cast<size_t>(n_tokens));
    const auto arrange_row = [&](int64_t t, int) {
        kernel.arrange(plain.data() + static_cast<size_t>(t) * plain_stride,
                       arranged.data() + static_cast<size_t>(t) * stride, n);
    };
    if (n_tokens < 4)
        for (int64_t t = 0; t < n_tokens; ++t) arrange_row(t, 0);
    else
        pool.parallel_for(n_tokens, arrange_row);
    return arranged.data();
}

} // namespace

void matmul_group(const MatmulJob* jobs, int n_jobs, const float* x, int64_t n_tokens, ThreadPool& pool,
                  MatmulScratch& scratch) {
    if (n_tokens <= 0 || n_jobs <= 0) return;
    if (n_jobs > kMaxJobs) throw Error(fmt::format("matmul_group takes at most {} products", kMaxJobs));
    PlannedJob plan[kMaxJobs];
    if (scratch.quantized.size() < static_cast<size_t>(kMaxJobs)) scratch.quantized.resize(kMaxJobs);
    if (scratch.arranged.size() < static_cast<size_t>(kMaxJobs)) scratch.arranged.resize(kMaxJobs);
    const int64_t n_threads = pool.n_threads();
    const int64_t token_blocks = (n_tokens + kTokensPerTask - 1) / kTokensPerTask;
    int64_t total_rows = 0;
    for (int i = 0; i < n_jobs; ++i) total_rows += jobs[i].w->n_rows;
    // Chunks: several per thread so that the last ones even out the threads' finishing times (a
    // thread left waiting on the other's last chunk idles for up to a chunk), and a whole number of
    // weight tiles per chunk. Each thread still reads one contiguous run of them (parallel_for_streams).
    const int64_t want_chunks =
        std::max<int64_t>(1, (n_threads * kChunksPerThread + token_blocks - 1) / token_blocks);
    const int64_t target_rows = std::max<int64_t>(16, (total_rows + want_chunks - 1) / want_chunks);
    int64_t total_tasks = 0;
    for (int i = 0; i < n_jobs; ++i) {
        PlannedJob& p = plan[i];
        p.w = jobs[i].w;
        p.y = jobs[i].y;
        if (p.w->n_cols != jobs[0].w->n_cols)
            throw Error("matmul_group: the products of a group must have the same input width");
        const BlockTraits& traits = block_traits(p.w->type);
        p.kernel = &best_dot_kernel(p.w->type);
        if (p.w->packed) {
            // Packed matrices were repacked for this machine's packed kernel, which serves every batch.
            p.kernel = p.kernel->packed;
            if (!p.kernel || p.w->n_rows % kPackedRows != 0)
                throw Error(fmt::format("packed {} weights without a packed kernel", traits.name));
        } else if (p.kernel->batch && n_tokens >= kBatchKernelTokens) {
            p.kernel = p.kernel->batch;
        }
        if (!p.kernel->tile)
            throw Error(
                fmt::format("matrix products with {} weights are not supported on the CPU", traits.name));
        const BlockType act_type = traits.vec_dot_type;
        p.act_stride = activation_row_bytes(*p.kernel, p.w->n_cols);
        if (act_type == BlockType::F32) {
            p.act = reinterpret_cast<const std::byte*>(x);
        } else {
            // Reuse an earlier job's conversion when it is the same format made the same way.
            for (int k = 0; k < i && !p.act; ++k)
                if (block_traits(plan[k].w->type).vec_dot_type == act_type &&
                    plan[k].kernel->quantize == p.kernel->quantize &&
                    plan[k].kernel->arrange == p.kernel->arrange)
                    p.act = plan[k].act;
            if (!p.act) p.act = convert_activations(*p.kernel, x, p.w->n_cols, n_tokens, pool, scratch, i);
        }
        const int64_t mw = p.kernel->max_w;
        p.rows_per_chunk = (std::min(target_rows, p.w->n_rows) + mw - 1) / mw * mw;
        p.row_chunks = (p.w->n_rows + p.rows_per_chunk - 1) / p.rows_per_chunk;
        total_tasks += p.row_chunks * token_blocks;
    }

    pool.parallel_for_streams(total_tasks, [&](int64_t task, int) {
        int i = 0;
        while (task >= plan[i].row_chunks * token_blocks) task -= plan[i++].row_chunks * token_blocks;
        const PlannedJob& p = plan[i];
        const DotKernel& kernel = *p.kernel;
        const int64_t chunk = task % p.row_chunks;
        const int64_t tblock = task / p.row_chunks;
        const int64_t n_rows = p.w->n_rows;
        const int64_t r0 = chunk * p.rows_per_chunk, r1 = std::min(n_rows, r0 + p.rows_per_chunk);
        const int64_t t0 = tblock * kTokensPerTask, t1 = std::min(n_tokens, t0 + kTokensPerTask);
        const auto* wdata = static_cast<const std::byte*>(p.w->data);
        for (int64_t r = r0; r < r1; r += kernel.max_w) {
            const int nw = static_cast<int>(std::min<int64_t>(kernel.max_w, r1 - r));
            for (int64_t t = t0; t < t1; t += kernel.max_a) {
                const int na = static_cast<int>(std::min<int64_t>(kernel.max_a, t1 - t));
                kernel.tile(p.w->n_cols, wdata + static_cast<size_t>(r) * p.w->row_bytes, p.w->row_bytes, nw,
                            p.act + static_cast<size_t>(t) * p.act_stride, p.act_stride, na,
                            p.y + t * n_rows + r, static_cast<size_t>(n_rows));
            }
        }
    });
}

void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool,
            MatmulScratch& scratch) {
    if (w.n_rows <= 0) return;
    const MatmulJob job{&w, y};
    matmul_group(&job, 1, x, n_tokens, pool, scratch);
}

} // namespace fireside

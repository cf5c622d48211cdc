#include "engine/cpu/packed_weights.h"

#include "engine/core/error.h"
#include "engine/core/large_buffer.h"
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/thread_pool.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <vector>

namespace fireside {
namespace {

constexpr size_t kAlign = 64;

size_t matrix_bytes(const WeightMatrix& w) {
    return (w.row_bytes * static_cast<size_t>(w.n_rows) + kAlign - 1) / kAlign * kAlign;
}

const DotKernel* packed_kernel(const WeightMatrix& w) {
    if (w.packed || w.n_rows % kPackedRows != 0) return nullptr;
    const DotKernel* k = best_dot_kernel(w.type).packed;
    return k && k->repack ? k : nullptr;
}

} // namespace

uint64_t PackedWeights::bytes_for(std::span<const WeightMatrix* const> matrices) {
    uint64_t total = 0;
    for (const WeightMatrix* w : matrices) total += matrix_bytes(*w);
    return total;
}

bool PackedWeights::any_packable(std::span<const WeightMatrix* const> matrices) {
    return std::ranges::any_of(matrices, [](const WeightMatrix* w) { return packed_kernel(*w) != nullptr; });
}

PackedWeights::PackedWeights(std::span<WeightMatrix* const> matrices, ThreadPool& pool,
                             const Progress& progress) {
    const uint64_t total = bytes_for(std::span<const WeightMatrix* const>(matrices.data(), matrices.size()));
    memory_ = LargeBuffer(static_cast<size_t>(total), "a copy of the CPU layers' weights");
    // The matrices change only once every copy is made, so a cancelled copy leaves them as they were.
    std::vector<WeightMatrix> copies;
    copies.reserve(matrices.size());
    uint64_t done = 0;
    std::byte* at = memory_.data();
    for (const WeightMatrix* w : matrices) {
        const auto* src = static_cast<const std::byte*>(w->data);
        const DotKernel* kernel = packed_kernel(*w);
        const size_t group_bytes = w->row_bytes * kPackedRows;
        // Groups of sixteen rows, or single rows where there is nothing to repack, over the threads.
        const int64_t tasks = kernel ? w->n_rows / kPackedRows : w->n_rows;
        pool.parallel_for(tasks, [&](int64_t t, int) {
            const size_t offset = (kernel ? group_bytes : w->row_bytes) * static_cast<size_t>(t);
            if (kernel)
                kernel->repack(src + offset, w->row_bytes, at + offset, w->n_cols);
            else
                std::memcpy(at + offset, src + offset, w->row_bytes);
        });
        WeightMatrix copy = *w;
        copy.data = at;
        copy.packed = kernel != nullptr;
        copies.push_back(copy);
        at += matrix_bytes(*w);
        done += matrix_bytes(*w);
        if (progress && !progress(done, total)) throw Cancelled();
    }
    for (size_t i = 0; i < matrices.size(); ++i) *matrices[i] = copies[i];
}

} // namespace fireside

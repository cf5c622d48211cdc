#include "engine/cpu/kernel_speed.h"

#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/matmul.h"
#include "engine/cpu/packed_weights.h"
#include "engine/cpu/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace fireside {

KernelSpeed measure_matvec_speed(BlockType type, ThreadPool& pool, uint64_t bytes, int repetitions,
                                 bool packed) {
    constexpr int64_t kCols = 4096, kPatternRows = 64;
    const BlockTraits& traits = block_traits(type);
    const size_t rb = row_bytes(type, kCols);
    const auto rows = std::max<int64_t>(static_cast<int64_t>(bytes / rb) / kPackedRows, 1) * kPackedRows;
    // A few rows quantized from normal values, repeated: real blocks without quantizing it all.
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    std::vector<float> values(static_cast<size_t>(kCols * kPatternRows));
    for (float& v : values) v = normal(rng);
    std::vector<std::byte> pattern(rb * kPatternRows);
    for (int64_t r = 0; r < kPatternRows; ++r)
        traits.quantize_row(values.data() + r * kCols, pattern.data() + rb * static_cast<size_t>(r), kCols);
    const size_t total = rb * static_cast<size_t>(rows);
    std::unique_ptr<std::byte[]> weights(new std::byte[total]);
    pool.parallel_for(rows, [&](int64_t r, int) {
        std::memcpy(weights.get() + rb * static_cast<size_t>(r),
                    pattern.data() + rb * static_cast<size_t>(r % kPatternRows), rb);
    });
    WeightMatrix w{type, kCols, rows, weights.get(), rb};
    std::unique_ptr<PackedWeights> copy;
    if (packed) {
        WeightMatrix* const one[] = {&w};
        copy = std::make_unique<PackedWeights>(one, pool);
        weights.reset(); // only the packed copy is read
    }
    std::vector<float> x(values.begin(), values.begin() + kCols), y(static_cast<size_t>(rows));
    MatmulScratch scratch;
    matmul(w, x.data(), 1, y.data(), pool, scratch); // warm-up: page faults, scratch buffers
    double best = 0.0;
    for (int r = 0; r < repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        matmul(w, x.data(), 1, y.data(), pool, scratch);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, static_cast<double>(total) / seconds);
    }
    return KernelSpeed{type, kernel_isa_name(best_dot_kernel(type).isa), best, w.packed};
}

} // namespace fireside

#include "engine/cpu/memory_bandwidth.h"

#include "engine/cpu/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

namespace fireside {

double measure_read_bandwidth(ThreadPool& pool, uint64_t bytes, int repetitions) {
    const size_t words = static_cast<size_t>(bytes / sizeof(uint64_t));
    std::unique_ptr<uint64_t[]> buffer(new uint64_t[words]);
    const int64_t n_tasks = pool.n_threads();
    // Touch every page first (from the threads that will read it) so the timing excludes page faults.
    pool.parallel_for(n_tasks, [&](int64_t task, int) {
        const size_t begin = words * static_cast<size_t>(task) / static_cast<size_t>(n_tasks);
        const size_t end = words * static_cast<size_t>(task + 1) / static_cast<size_t>(n_tasks);
        for (size_t i = begin; i < end; ++i) buffer[i] = i;
    });
    return measure_read_bandwidth_of(pool, buffer.get(), words * sizeof(uint64_t), repetitions);
}

double measure_read_bandwidth_of(ThreadPool& pool, const void* data, uint64_t bytes, int repetitions) {
    const size_t words = static_cast<size_t>(bytes / sizeof(uint64_t));
    const auto* buffer = static_cast<const uint64_t*>(data);
    const int64_t n_tasks = pool.n_threads();
    std::atomic<uint64_t> sink{0};
    double best = 0.0;
    for (int r = 0; r < repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        pool.parallel_for(n_tasks, [&](int64_t task, int) {
            const size_t begin = words * static_cast<size_t>(task) / static_cast<size_t>(n_tasks);
            const size_t end = words * static_cast<size_t>(task + 1) / static_cast<size_t>(n_tasks);
            // Eight independent sums keep enough loads in flight to saturate the memory system.
            uint64_t s[8] = {};
            size_t i = begin;
            for (; i + 8 <= end; i += 8)
                for (int k = 0; k < 8; ++k) s[k] += buffer[i + static_cast<size_t>(k)];
            for (; i < end; ++i) s[0] += buffer[i];
            uint64_t total = 0;
            for (uint64_t v : s) total += v;
            sink.fetch_add(total, std::memory_order_relaxed);
        });
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, static_cast<double>(words * sizeof(uint64_t)) / seconds);
    }
    // The sums are consumed so that the reads cannot be optimised away.
    volatile uint64_t keep = sink.load();
    (void)keep;
    return best;
}

} // namespace fireside

#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fireside {

// A fixed set of worker threads for fork/join parallel loops. Decoding one token runs hundreds of
// small matrix products, so starting a loop must cost microseconds: idle workers spin briefly on a
// generation counter before they fall asleep, and the calling thread takes a share of the work.
// Tasks are claimed one by one and the loop ends when every task is done, not when every worker has
// checked in: on a busy machine a descheduled worker simply misses the loop instead of stalling it.
class ThreadPool {
public:
    // n_threads counts the calling thread; values below 1 mean physical_core_count().
    explicit ThreadPool(int n_threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int n_threads() const { return static_cast<int>(workers_.size()) + 1; }

    // Calls body(task, thread) for every task in [0, n_tasks) and returns when all have finished.
    // Tasks are handed out one at a time, so uneven tasks balance themselves; `thread` is in
    // [0, n_threads()) and lets a task use per-thread scratch memory. A loop started from inside a
    // task runs serially on that thread. The first exception a task throws is rethrown here.
    template <class Body>
    void parallel_for(int64_t n_tasks, Body&& body) {
        run(n_tasks, call<std::remove_reference_t<Body>>, context(body));
    }

    // Like parallel_for, for tasks that read memory in task order (the row chunks of a matrix): each
    // thread works through a contiguous share of the tasks front to back, and only then takes what is
    // left of the others' shares from their far ends. Every thread thus reads one sequential stream that
    // the hardware prefetchers follow, where tasks dealt out in turn would hand each thread a new stream
    // every task (measured at 60 GB/s: 90% of the memory's read rate against 73%).
    template <class Body>
    void parallel_for_streams(int64_t n_tasks, Body&& body) {
        run_streams(n_tasks, call<std::remove_reference_t<Body>>, context(body));
    }

private:
    // A loop body behind a plain function pointer and context, so the loop machinery is not a template.
    using TaskFn = void (*)(void* ctx, int64_t task, int thread);
    template <class B>
    static void call(void* ctx, int64_t task, int thread) {
        (*static_cast<B*>(ctx))(task, thread);
    }
    template <class B>
    static void* context(B& body) {
        return const_cast<void*>(static_cast<const void*>(&body));
    }
    void run(int64_t n_tasks, TaskFn fn, void* ctx);
    void run_streams(int64_t n_tasks, TaskFn fn, void* ctx);
    void work(uint64_t generation, int thread);
    void worker_main(int thread);

    static constexpr int kTaskBits = 40;
    std::vector<std::thread> workers_;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> sleepers_{0};
    // The loop's generation (high bits) and the next unclaimed task (low kTaskBits bits), so that a
    // worker arriving late for an old loop cannot claim a task of a newer one.
    std::atomic<uint64_t> claim_{0};
    std::atomic<int64_t> done_{0};
    std::atomic<bool> stop_{false};
    std::atomic<bool> failed_{false};
    int64_t n_tasks_ = 0;
    TaskFn fn_ = nullptr;
    void* ctx_ = nullptr;
    std::mutex error_mutex_;
    std::exception_ptr error_;
    // One share of a parallel_for_streams loop: the next task from the front (low 32 bits) and the
    // end of what is left (high 32 bits), in one word so that owner and helpers claim consistently.
    struct alignas(64) Share {
        std::atomic<uint64_t> bounds{0};
        // The first task left (front) or the last, or -1 when none is.
        int64_t claim(bool front);
    };
    static constexpr int64_t kMaxShareTask = 0xFFFFFFFF;
    std::unique_ptr<Share[]> shares_;
};

} // namespace fireside

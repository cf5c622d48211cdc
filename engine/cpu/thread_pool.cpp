#include "engine/cpu/thread_pool.h"

#include "engine/cpu/cpu_features.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace fireside {
namespace {

// How long an idle worker keeps polling before it sleeps: long enough to bridge the gap between
// two matrix products of one token, short enough not to burn a core shared with other programs.
constexpr auto kSpinTime = std::chrono::microseconds(200);

thread_local bool t_inside_task = false;
thread_local int t_thread = 0; // the pool thread index of the task running on this thread

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

} // namespace

ThreadPool::ThreadPool(int n_threads) {
    if (n_threads < 1) n_threads = physical_core_count();
    shares_ = std::make_unique<Share[]>(static_cast<size_t>(n_threads));
    workers_.reserve(static_cast<size_t>(n_threads - 1));
    for (int t = 1; t < n_threads; ++t) workers_.emplace_back([this, t] { worker_main(t); });
}

ThreadPool::~ThreadPool() {
    stop_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (std::thread& w : workers_) w.join();
}

void ThreadPool::work(uint64_t generation, int thread) {
    const uint64_t tag = generation << kTaskBits;
    const uint64_t task_mask = (uint64_t{1} << kTaskBits) - 1;
    t_inside_task = true;
    t_thread = thread;
    uint64_t word = claim_.load(std::memory_order_acquire);
    for (;;) {
        if ((word & ~task_mask) != tag) break; // a newer loop has started: this one is over
        const auto task = static_cast<int64_t>(word & task_mask);
        if (task >= n_tasks_) break;
        if (!claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                          std::memory_order_acquire))
            continue;
        if (!failed_.load(std::memory_order_relaxed)) {
            try {
                fn_(ctx_, task, thread);
            } catch (...) {
                std::lock_guard lock(error_mutex_);
                if (!error_) error_ = std::current_exception();
                failed_.store(true);
            }
        }
        done_.fetch_add(1, std::memory_order_acq_rel);
        word = claim_.load(std::memory_order_acquire);
    }
    t_inside_task = false;
}

void ThreadPool::worker_main(int thread) {
    uint64_t seen = 0;
    for (;;) {
        auto spin_start = std::chrono::steady_clock::now();
        uint64_t now = 0;
        for (int spins = 0; (now = generation_.load(std::memory_order_acquire)) == seen; ++spins) {
            if ((spins & 255) == 255 && std::chrono::steady_clock::now() - spin_start > kSpinTime) {
                // Announce the sleep before re-checking, so run() either sees a sleeper and wakes it
                // or the wait below finds the new generation and returns at once.
                sleepers_.fetch_add(1);
                generation_.wait(seen);
                sleepers_.fetch_sub(1);
                spin_start = std::chrono::steady_clock::now();
            } else {
                cpu_relax();
            }
        }
        seen = now;
        if (stop_.load()) return;
        work(now, thread);
    }
}

void ThreadPool::run(int64_t n_tasks, TaskFn fn, void* ctx) {
    if (n_tasks <= 0) return;
    if (workers_.empty() || n_tasks == 1 || t_inside_task) {
        const bool outer = t_inside_task;
        t_inside_task = true;
        try {
            // Inside a task the thread keeps its index, so per-thread scratch stays its own.
            const int thread = outer ? t_thread : 0;
            for (int64_t task = 0; task < n_tasks; ++task) fn(ctx, task, thread);
        } catch (...) {
            t_inside_task = outer;
            throw;
        }
        t_inside_task = outer;
        return;
    }
    fn_ = fn;
    ctx_ = ctx;
    n_tasks_ = n_tasks;
    error_ = nullptr;
    failed_.store(false, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    const uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
    claim_.store(generation << kTaskBits, std::memory_order_release);
    generation_.store(generation);
    if (sleepers_.load() > 0) generation_.notify_all();

    work(generation, 0);
    // Only tasks already claimed by workers can be outstanding here.
    for (int spins = 0; done_.load(std::memory_order_acquire) < n_tasks; ++spins) {
        if (spins < 4096)
            cpu_relax();
        else
            std::this_thread::yield();
    }
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::run_streams(int64_t n_tasks, TaskFn fn, void* ctx) {
    const int n = n_threads();
    if (n == 1 || n_tasks <= 1 || t_inside_task || n_tasks > kMaxShareTask) return run(n_tasks, fn, ctx);
    for (int s = 0; s < n; ++s) {
        const auto begin = static_cast<uint64_t>(n_tasks * s / n);
        const auto end = static_cast<uint64_t>(n_tasks * (s + 1) / n);
        shares_[static_cast<size_t>(s)].bounds.store(begin | end << 32, std::memory_order_relaxed);
    }
    struct Context {
        ThreadPool* pool;
        TaskFn fn;
        void* ctx;
    } context{this, fn, ctx};
    // One loop task per share: whoever takes it (normally the thread of that index; a late worker's
    // share is simply taken by another) works it from the front, then helps with the rest.
    run(
        n,
        [](void* c, int64_t slot, int thread) {
            const auto& [pool, task_fn, task_ctx] = *static_cast<Context*>(c);
            const int n = pool->n_threads();
            for (int k = 0; k < n; ++k) {
                Share& share = pool->shares_[static_cast<size_t>((slot + k) % n)];
                for (int64_t task; (task = share.claim(k == 0)) >= 0;) task_fn(task_ctx, task, thread);
            }
        },
        &context);
}

int64_t ThreadPool::Share::claim(bool front) {
    constexpr uint64_t kLow = 0xFFFFFFFFu;
    uint64_t word = bounds.load(std::memory_order_relaxed);
    for (;;) {
        const uint64_t begin = word & kLow, end = word >> 32;
        if (begin >= end) return -1;
        const uint64_t next = front ? word + 1 : (begin | (end - 1) << 32);
        if (bounds.compare_exchange_weak(word, next, std::memory_order_acq_rel, std::memory_order_relaxed))
            return static_cast<int64_t>(front ? begin : end - 1);
    }
}

} // namespace fireside

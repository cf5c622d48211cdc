// The fork/join pool: every task runs exactly once per loop, across thousands of back-to-back loops
// (the decode pattern), with exceptions carried to the caller and nested loops run serially.
#include "engine/cpu/cpu_features.h"
#include "engine/cpu/thread_pool.h"
#include "tests/support/test_support.h"

#include <QtTest>
#include <atomic>
#include <stdexcept>
#include <vector>

using namespace fireside;

class CpuThreadPool : public QObject {
    Q_OBJECT

    // Every task runs exactly once, on a valid thread index, for pool and task counts around the
    // thread count, over hundreds of back-to-back loops.
    template <class Loop>
    static void every_task_once(Loop loop) {
        for (int threads : {1, 2, 4}) {
            ThreadPool pool(threads);
            for (int64_t n_tasks :
                 {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{7}, int64_t{64}, int64_t{1000}}) {
                for (int round = 0; round < 300; ++round) {
                    std::vector<std::atomic<int>> hits(static_cast<size_t>(n_tasks));
                    std::atomic<int> bad_thread{0};
                    loop(pool, n_tasks, [&](int64_t task, int thread) {
                        hits[static_cast<size_t>(task)].fetch_add(1);
                        if (thread < 0 || thread >= pool.n_threads()) bad_thread.fetch_add(1);
                    });
                    for (auto& h : hits) QCOMPARE(h.load(), 1);
                    QCOMPARE(bad_thread.load(), 0);
                }
            }
        }
    }

private slots:
    void default_size_is_the_physical_core_count() {
        QVERIFY(physical_core_count() >= 1);
        ThreadPool pool;
        QCOMPARE(pool.n_threads(), physical_core_count());
    }

    void every_task_runs_once_in_every_loop() {
        every_task_once([](ThreadPool& pool, int64_t n, auto&& body) { pool.parallel_for(n, body); });
    }

    void results_are_visible_to_the_caller() {
        ThreadPool pool(3);
        std::vector<int64_t> out(5000);
        for (int loop = 0; loop < 50; ++loop) {
            pool.parallel_for(static_cast<int64_t>(out.size()),
                              [&](int64_t task, int) { out[static_cast<size_t>(task)] = task * loop; });
            for (size_t i = 0; i < out.size(); ++i) QCOMPARE(out[i], static_cast<int64_t>(i) * loop);
        }
    }

    void an_exception_reaches_the_caller_and_the_pool_stays_usable() {
        ThreadPool pool(2);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, pool.parallel_for(100, [](int64_t task, int) {
            if (task == 37) throw std::runtime_error("task failed");
        }));
        std::atomic<int64_t> sum{0};
        pool.parallel_for(100, [&](int64_t task, int) { sum.fetch_add(task); });
        QCOMPARE(sum.load(), int64_t{4950});
    }

    void streams_run_every_task_once_in_every_loop() {
        every_task_once([](ThreadPool& pool, int64_t n, auto&& body) { pool.parallel_for_streams(n, body); });
    }

    // Each thread starts at the front of a share and goes on task by task; what it takes afterwards
    // from another share comes from that share's end, backwards.
    void streams_hand_each_thread_a_contiguous_run() {
        ThreadPool pool(2);
        constexpr int64_t kTasks = 400;
        for (int loop = 0; loop < 50; ++loop) {
            std::vector<int64_t> taken[2];
            pool.parallel_for_streams(kTasks, [&](int64_t task, int thread) {
                taken[thread].push_back(task);
                volatile double spin = 0; // some work, so that both threads take part
                for (int i = 0; i < 2000; ++i) spin = spin + i;
            });
            QCOMPARE(static_cast<int64_t>(taken[0].size() + taken[1].size()), kTasks);
            for (const auto& seq : taken) {
                if (seq.empty()) continue;
                QVERIFY2(seq[0] == 0 || seq[0] == kTasks / 2, "a thread started inside a share");
                size_t i = 1;
                while (i < seq.size() && seq[i] == seq[i - 1] + 1) ++i;
                for (size_t k = i + 1; k < seq.size(); ++k)
                    QVERIFY2(seq[k] == seq[k - 1] - 1, "helping tasks were not taken from the far end");
            }
        }
    }

    void streams_carry_exceptions_and_run_nested_loops_serially() {
        ThreadPool pool(2);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, pool.parallel_for_streams(100, [](int64_t task, int) {
            if (task == 63) throw std::runtime_error("task failed");
        }));
        std::atomic<int> inner{0};
        pool.parallel_for_streams(100, [&](int64_t, int outer_thread) {
            pool.parallel_for_streams(5, [&](int64_t, int thread) {
                if (thread == outer_thread) inner.fetch_add(1);
            });
        });
        QCOMPARE(inner.load(), 500);
    }

    void a_nested_loop_runs_serially_inside_the_task() {
        ThreadPool pool(2);
        std::atomic<int> inner{0};
        pool.parallel_for(400, [&](int64_t, int outer_thread) {
            pool.parallel_for(5, [&](int64_t, int thread) {
                if (thread == outer_thread) inner.fetch_add(1);
            });
        });
        QCOMPARE(inner.load(), 2000);
    }
};

QTEST_GUILESS_MAIN(CpuThreadPool)
#include "test_cpu_thread_pool.moc"

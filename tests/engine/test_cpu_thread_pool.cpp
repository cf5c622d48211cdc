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

private slots:
    void default_size_is_the_physical_core_count() {
        QVERIFY(physical_core_count() >= 1);
        ThreadPool pool;
        QCOMPARE(pool.n_threads(), physical_core_count());
    }

    void every_task_runs_once_in_every_loop() {
        for (int threads : {1, 2, 4}) {
            ThreadPool pool(threads);
            for (int64_t n_tasks : {int64_t{1}, int64_t{2}, int64_t{7}, int64_t{64}, int64_t{1000}}) {
                for (int loop = 0; loop < 300; ++loop) {
                    std::vector<std::atomic<int>> hits(static_cast<size_t>(n_tasks));
                    std::atomic<int> bad_thread{0};
                    pool.parallel_for(n_tasks, [&](int64_t task, int thread) {
                        hits[static_cast<size_t>(task)].fetch_add(1);
                        if (thread < 0 || thread >= pool.n_threads()) bad_thread.fetch_add(1);
                    });
                    for (auto& h : hits) QCOMPARE(h.load(), 1);
                    QCOMPARE(bad_thread.load(), 0);
                }
            }
        }
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

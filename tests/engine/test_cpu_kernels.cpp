// Every SIMD dot-product kernel against the block table's scalar reference, on random blocks with
// zero, tiny, huge and ordinary scales, for every tile shape; the SIMD activation quantizers against
// the scalar ones; and the threaded matmul against a plain loop. The checks themselves are shared with
// kernel_check (tests/kernels), which runs them where Qt is not available (arm64 under an emulator).
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/thread_pool.h"
#include "engine/cpu/vector_ops.h"
#include "engine/model/attention.h"
#include "engine/model/kv_cache.h"
#include "engine/quant/fp16.h"
#include "tests/support/kernel_fixtures.h"

#include <QtTest>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace fireside;
using namespace fireside::test;

namespace {

QString failures(const CheckLog& log) {
    QStringList lines;
    for (const std::string& f : log.failures) lines << QString::fromStdString(f);
    return QString("%1 of %2 checks failed:\n%3")
        .arg(log.failed)
        .arg(log.passed + log.failed)
        .arg(lines.join('\n'));
}

} // namespace

class CpuKernels : public QObject {
    Q_OBJECT

private slots:
    void simd_matches_scalar_reference_data() {
        QTest::addColumn<int>("type");
        for (BlockType t : kWeightTypes)
            QTest::newRow(std::string(block_traits(t).name).c_str()) << static_cast<int>(t);
    }

    void simd_matches_scalar_reference() {
        QFETCH(int, type);
        const auto wt = static_cast<BlockType>(type);
        if (simd_kernels(wt).empty()) QSKIP("no SIMD kernel for this type on this machine");
        CheckLog log;
        fireside::test::simd_matches_scalar_reference(wt, log);
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
        QVERIFY(log.passed > 0);
    }

    void packed_kernels_match_scalar_reference() {
        CheckLog log;
        for (BlockType t : kWeightTypes) fireside::test::packed_matches_scalar_reference(t, log);
        if (log.passed + log.failed == 0) QSKIP("no packed kernel on this machine");
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
    }

    void simd_activation_quantizers() {
        CheckLog log;
        fireside::test::simd_activation_quantizers(log);
        if (log.passed + log.failed == 0) QSKIP("no SIMD activation quantizer on this machine");
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
    }

    void matmul_matches_plain_loop() {
        CheckLog log;
        fireside::test::matmul_matches_plain_loop(log);
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
        QCOMPARE(log.passed, 3 * static_cast<int>(std::size(kWeightTypes)));
    }

    void float_primitives_match_double() {
        CheckLog log;
        fireside::test::float_primitives_match_double(log);
        QVERIFY2(log.failed == 0, qPrintable(failures(log)));
        QCOMPARE(log.passed, 12);
    }

    // Generation reads f16 keys and values where they are stored; that must give exactly what
    // converting them first gives (batches still convert), and sums close to plain double ones.
    void f16_rows_read_in_place_equal_converted_ones() {
        std::mt19937 rng(7);
        std::normal_distribution<float> g(0.0f, 1.0f);
        for (int64_t n : {1, 7, 8, 16, 64, 100, 128})
            for (int64_t n_rows : {1, 5, 8, 19}) {
                const int64_t stride = n + 3;
                const auto count = static_cast<size_t>(n_rows * stride);
                std::vector<float> a(static_cast<size_t>(n)), w(static_cast<size_t>(n_rows)), rows32(count);
                std::vector<uint16_t> rows16(count);
                for (float& x : a) x = g(rng);
                for (float& x : w) x = g(rng);
                for (size_t i = 0; i < count; ++i) {
                    rows16[i] = f32_to_f16(g(rng));
                    rows32[i] = f16_to_f32(rows16[i]);
                }
                std::vector<float> s16(w.size()), s32(w.size()), o16(a.size()), o32(a.size());
                dot_rows(a.data(), rows16.data(), stride, n_rows, n, s16.data());
                dot_rows(a.data(), rows32.data(), stride, n_rows, n, s32.data());
                QVERIFY2(s16 == s32, qPrintable(QString("dot_rows, n = %1, rows %2").arg(n).arg(n_rows)));
                weighted_rows(w.data(), rows16.data(), stride, n_rows, n, o16.data());
                weighted_rows(w.data(), rows32.data(), stride, n_rows, n, o32.data());
                QVERIFY2(o16 == o32,
                         qPrintable(QString("weighted_rows, n = %1, rows %2").arg(n).arg(n_rows)));
                // Against plain double sums.
                for (int64_t p = 0; p < n_rows; ++p) {
                    double ref = 0, mag = 0;
                    for (int64_t i = 0; i < n; ++i) {
                        ref += static_cast<double>(a[static_cast<size_t>(i)]) *
                               rows32[static_cast<size_t>(p * stride + i)];
                        mag +=
                            std::abs(a[static_cast<size_t>(i)] * rows32[static_cast<size_t>(p * stride + i)]);
                    }
                    QVERIFY(std::abs(s32[static_cast<size_t>(p)] - ref) <= 1e-5 * mag + 1e-30);
                }
                for (int64_t i = 0; i < n; ++i) {
                    double ref = 0, mag = 0;
                    for (int64_t p = 0; p < n_rows; ++p) {
                        ref += static_cast<double>(w[static_cast<size_t>(p)]) *
                               rows32[static_cast<size_t>(p * stride + i)];
                        mag +=
                            std::abs(w[static_cast<size_t>(p)] * rows32[static_cast<size_t>(p * stride + i)]);
                    }
                    QVERIFY(std::abs(o32[static_cast<size_t>(i)] - ref) <= 1e-5 * mag + 1e-30);
                }
            }
        // Attention for the last of three tokens evaluated as one batch (converted rows) and alone
        // (rows read in place).
        const int64_t n_head = 4, head_dim = 64, kv_dim = n_head * head_dim, n_pos = 37;
        KvCache cache(1, 64, kv_dim, BlockType::F16);
        std::vector<float> k(static_cast<size_t>(n_pos * kv_dim)), v(k.size());
        for (float& x : k) x = g(rng);
        for (float& x : v) x = g(rng);
        cache.store(0, 0, n_pos, k.data(), v.data());
        std::vector<float> q(static_cast<size_t>(3 * kv_dim));
        for (float& x : q) x = g(rng);
        ThreadPool pool(2);
        AttentionScratch scratch;
        const AttentionShape shape{n_head, n_head, head_dim};
        std::vector<float> batch(q.size()), alone(static_cast<size_t>(kv_dim));
        attention(q.data(), cache, 0, shape, n_pos - 3, 3, batch.data(), pool, scratch);
        attention(q.data() + 2 * kv_dim, cache, 0, shape, n_pos - 1, 1, alone.data(), pool, scratch);
        QVERIFY(std::memcmp(alone.data(), batch.data() + 2 * kv_dim, alone.size() * sizeof(float)) == 0);
    }
};

QTEST_GUILESS_MAIN(CpuKernels)
#include "test_cpu_kernels.moc"

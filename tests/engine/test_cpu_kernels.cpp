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
#include <cmath>
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

    // Attention's products: f16 keys and values converted on the fly give exactly what converting them
    // first gives; every sum equals a plain fused multiply-add loop over its terms in order, whatever
    // the number of queries served at once; and it is close to a double-precision sum.
    void attention_products_match_plain_sums() {
        std::mt19937 rng(7);
        std::normal_distribution<float> g(0.0f, 1.0f);
        for (int64_t n : {1, 7, 8, 16, 64, 100, 128})
            for (int64_t n_pos : {1, 5, 8, 19, 70})
                for (int n_q : {1, 3, kMaxAttentionQueries}) {
                    const QString where =
                        QString("n = %1, positions %2, queries %3").arg(n).arg(n_pos).arg(n_q);
                    const int64_t q_stride = n + 3, tiled = (n_pos + kKeyTile - 1) / kKeyTile * kKeyTile;
                    std::vector<float> q(static_cast<size_t>(n_q * q_stride)),
                        w(static_cast<size_t>(n_q * n_pos));
                    for (float& x : q) x = g(rng);
                    for (float& x : w) x = g(rng);
                    const auto count = static_cast<size_t>(tiled * n);
                    std::vector<uint16_t> keys16(count), values16(count);
                    std::vector<float> keys32(count), values32(count);
                    for (size_t i = 0; i < count; ++i) {
                        keys16[i] = f32_to_f16(g(rng));
                        keys32[i] = f16_to_f32(keys16[i]);
                        values16[i] = f32_to_f16(g(rng));
                        values32[i] = f16_to_f32(values16[i]);
                    }
                    const auto key = [&](int64_t p, int64_t i) {
                        return keys32[static_cast<size_t>((p / kKeyTile * n + i) * kKeyTile + p % kKeyTile)];
                    };
                    std::vector<float> s16(w.size()), s32(w.size()), o16(static_cast<size_t>(n_q * n)),
                        o32(o16.size());
                    key_scores(q.data(), q_stride, n_q, keys16.data(), n_pos, n, s16.data());
                    key_scores(q.data(), q_stride, n_q, keys32.data(), n_pos, n, s32.data());
                    QVERIFY2(s16 == s32, qPrintable("key_scores, f16 and f32, " + where));
                    weighted_values(w.data(), n_q, values16.data(), n_pos, n, o16.data(), n);
                    weighted_values(w.data(), n_q, values32.data(), n_pos, n, o32.data(), n);
                    QVERIFY2(o16 == o32, qPrintable("weighted_values, f16 and f32, " + where));
                    for (int j = 0; j < n_q; ++j) {
                        for (int64_t p = 0; p < n_pos; ++p) {
                            float fused = 0.0f;
                            double ref = 0, mag = 0;
                            for (int64_t i = 0; i < n; ++i) {
                                const float a = q[static_cast<size_t>(j * q_stride + i)];
                                fused = std::fma(a, key(p, i), fused);
                                ref += static_cast<double>(a) * key(p, i);
                                mag += std::abs(static_cast<double>(a) * key(p, i));
                            }
                            const float got = s32[static_cast<size_t>(j * n_pos + p)];
                            QVERIFY2(got == fused, qPrintable("key_scores against fma, " + where));
                            QVERIFY(std::abs(got - ref) <= 1e-5 * mag + 1e-30);
                        }
                        for (int64_t i = 0; i < n; ++i) {
                            float fused = 0.0f;
                            for (int64_t p = 0; p < n_pos; ++p)
                                fused = std::fma(w[static_cast<size_t>(j * n_pos + p)],
                                                 values32[static_cast<size_t>(p * n + i)], fused);
                            QVERIFY2(o32[static_cast<size_t>(j * n + i)] == fused,
                                     qPrintable("weighted_values against fma, " + where));
                        }
                    }
                }
    }

    void attention_batch_and_single_token_agree() {
        std::mt19937 rng(7);
        std::normal_distribution<float> g(0.0f, 1.0f);
        // Attention for the last of three tokens evaluated as one batch and alone: the same bits, as
        // each query's sums do not depend on the queries grouped with it.
        const int64_t n_head = 4, head_dim = 64, kv_dim = n_head * head_dim, n_pos = 37;
        KvCache cache(1, 64, n_head, head_dim, BlockType::F16);
        std::vector<float> k(static_cast<size_t>(n_pos * kv_dim)), v(k.size());
        for (float& x : k) x = g(rng);
        for (float& x : v) x = g(rng);
        cache.store(0, 0, n_pos, k.data(), v.data());
        ThreadPool pool(2);
        AttentionScratch scratch;
        // One query head per KV head, and four (grouped-query attention: 16 queries per token).
        for (int64_t n_q_head : {n_head, 4 * n_head}) {
            const int64_t q_dim = n_q_head * head_dim;
            std::vector<float> q(static_cast<size_t>(3 * q_dim));
            for (float& x : q) x = g(rng);
            const AttentionShape shape{n_q_head, n_head, head_dim};
            std::vector<float> batch(q.size()), alone(static_cast<size_t>(q_dim));
            attention(q.data(), cache, 0, shape, n_pos - 3, 3, batch.data(), pool, scratch);
            attention(q.data() + 2 * q_dim, cache, 0, shape, n_pos - 1, 1, alone.data(), pool, scratch);
            QVERIFY(std::memcmp(alone.data(), batch.data() + 2 * q_dim, alone.size() * sizeof(float)) == 0);
        }
    }
};

QTEST_GUILESS_MAIN(CpuKernels)
#include "test_cpu_kernels.moc"

// Every SIMD dot-product kernel against the block table's scalar reference, on random blocks with
// zero, tiny, huge and ordinary scales, for every tile shape; the SIMD activation quantizers against
// the scalar ones; and the threaded matmul against a plain loop.
#include "engine/cpu/cpu_features.h"
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/matmul.h"
#include "engine/cpu/thread_pool.h"
#include "engine/quant/blocks.h"
#include "engine/quant/fp16.h"
#include "tests/support/test_support.h"

#include <QtTest>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>
#include <vector>

using namespace fireside;

namespace {

// Byte offsets of the f16 scale fields in a block (every other byte pattern is a valid block).
std::vector<size_t> f16_fields(BlockType type) {
    switch (type) {
    case BlockType::F16:
        return {0};
    case BlockType::Q4_0:
        return {offsetof(BlockQ4_0, d)};
    case BlockType::Q4_1:
        return {offsetof(BlockQ4_1, d), offsetof(BlockQ4_1, m)};
    case BlockType::Q5_0:
        return {offsetof(BlockQ5_0, d)};
    case BlockType::Q5_1:
        return {offsetof(BlockQ5_1, d), offsetof(BlockQ5_1, m)};
    case BlockType::Q8_0:
        return {offsetof(BlockQ8_0, d)};
    case BlockType::Q2_K:
        return {offsetof(BlockQ2_K, d), offsetof(BlockQ2_K, dmin)};
    case BlockType::Q3_K:
        return {offsetof(BlockQ3_K, d)};
    case BlockType::Q4_K:
        return {offsetof(BlockQ4_K, d), offsetof(BlockQ4_K, dmin)};
    case BlockType::Q5_K:
        return {offsetof(BlockQ5_K, d), offsetof(BlockQ5_K, dmin)};
    case BlockType::Q6_K:
        return {offsetof(BlockQ6_K, d)};
    default:
        return {};
    }
}

// Scales that stress the kernels: zero, the f16 extremes, a subnormal, and ordinary values.
float pick_scale(std::mt19937& rng) {
    static const float special[] = {0.0f, 65504.0f, -65504.0f, 6.0e-8f, 1.0e-3f, -2.5f};
    std::uniform_int_distribution<int> which(0, 9);
    const int k = which(rng);
    if (k < 6) return special[k];
    return std::uniform_real_distribution<float>(-0.1f, 0.1f)(rng);
}

// Random weight rows of a type: random codes, scales from pick_scale (f32/f16: random values).
std::vector<std::byte> random_rows(BlockType type, int64_t n, int rows, std::mt19937& rng) {
    const BlockTraits& t = block_traits(type);
    const size_t rb = row_bytes(type, n);
    std::vector<std::byte> data(rb * static_cast<size_t>(rows));
    if (type == BlockType::F32) {
        std::normal_distribution<float> g(0.0f, 1.0f);
        for (size_t i = 0; i < data.size() / 4; ++i) {
            const float v = g(rng);
            std::memcpy(data.data() + 4 * i, &v, 4);
        }
        return data;
    }
    std::uniform_int_distribution<int> byte(0, 255);
    for (std::byte& b : data) b = static_cast<std::byte>(byte(rng));
    const std::vector<size_t> fields = f16_fields(type);
    for (size_t block = 0; block < data.size() / t.block_bytes; ++block)
        for (size_t f : fields) {
            const uint16_t h =
                f32_to_f16(type == BlockType::F16 ? std::normal_distribution<float>()(rng) : pick_scale(rng));
            std::memcpy(data.data() + block * t.block_bytes + f, &h, 2);
        }
    return data;
}

// Activation rows in the vec_dot_type, made by its scalar quantizer from rows of varied magnitude
// (one all-zero block per row) so that block sums and scales are consistent.
std::vector<std::byte> random_activations(BlockType act, int64_t n, int rows, std::mt19937& rng,
                                          std::vector<float>* floats = nullptr) {
    const size_t rb = row_bytes(act, n);
    std::vector<std::byte> data(rb * static_cast<size_t>(rows));
    std::vector<float> x(static_cast<size_t>(n * rows));
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (int r = 0; r < rows; ++r) {
        const float magnitude = r % 3 == 0 ? 1e4f : r % 3 == 1 ? 1e-3f : 1.0f;
        for (int64_t i = 0; i < n; ++i) x[static_cast<size_t>(r * n + i)] = g(rng) * magnitude;
        for (int64_t i = 0; i < std::min<int64_t>(n, 32); ++i) x[static_cast<size_t>(r * n + i)] = 0.0f;
        block_traits(act).quantize_row(x.data() + r * n, data.data() + rb * static_cast<size_t>(r), n);
    }
    if (floats) *floats = x;
    return data;
}

// |w| . |y| of the dequantized rows: the scale of the rounding error a dot product may carry.
double abs_dot(BlockType wt, BlockType at, int64_t n, const std::byte* w, const std::byte* a) {
    std::vector<float> wf(static_cast<size_t>(n)), af(static_cast<size_t>(n));
    block_traits(wt).dequantize_row(w, wf.data(), n);
    block_traits(at).dequantize_row(a, af.data(), n);
    double s = 0;
    for (int64_t i = 0; i < n; ++i)
        s += std::abs(static_cast<double>(wf[static_cast<size_t>(i)]) * af[static_cast<size_t>(i)]);
    return s;
}

constexpr int kMaxTileW = 4, kMaxTileA = 16;

std::vector<const DotKernel*> simd_kernels(BlockType type) {
    std::vector<const DotKernel*> out;
    for (KernelIsa isa : {KernelIsa::Avx2, KernelIsa::Avx512, KernelIsa::Avx512Vbmi, KernelIsa::Neon})
        if (const DotKernel* k = dot_kernel_for(type, isa)) out.push_back(k);
    return out;
}

// Activation rows in the order a kernel reads them (a copy of `plain` for most kernels).
std::vector<std::byte> arranged_for(const DotKernel& k, const std::vector<std::byte>& plain, int64_t n,
                                    int rows) {
    if (!k.arrange) return plain;
    const size_t in = row_bytes(block_traits(k.type).vec_dot_type, n);
    const size_t out = activation_row_bytes(k, n);
    std::vector<std::byte> arranged(out * static_cast<size_t>(rows));
    for (int r = 0; r < rows; ++r)
        k.arrange(plain.data() + in * static_cast<size_t>(r), arranged.data() + out * static_cast<size_t>(r),
                  n);
    return arranged;
}

} // namespace

class CpuKernels : public QObject {
    Q_OBJECT

private slots:
    void simd_matches_scalar_reference_data() {
        QTest::addColumn<int>("type");
        for (const BlockTraits& t : all_block_traits())
            if (t.type != BlockType::Q8_1 && t.type != BlockType::Q8_K)
                QTest::newRow(std::string(t.name).c_str()) << static_cast<int>(t.type);
    }

    void simd_matches_scalar_reference() {
        QFETCH(int, type);
        const auto wt = static_cast<BlockType>(type);
        const BlockTraits& traits = block_traits(wt);
        const DotKernel* scalar = dot_kernel_for(wt, KernelIsa::Scalar);
        QVERIFY(scalar != nullptr);
        const std::vector<const DotKernel*> kernels = simd_kernels(wt);
        if (kernels.empty()) QSKIP("no SIMD kernel for this type on this machine");
        std::mt19937 rng(1234 + type);
        // Row lengths: one block, an odd number of blocks (pair kernels' tail), whole groups of four
        // blocks plus a tail, and a long row.
        for (int64_t blocks : {int64_t{1}, int64_t{3}, int64_t{6}, int64_t{16}}) {
            // Blocks of the type itself (32 values for q4_0 .. q8_0), so the count really is odd.
            const int64_t n = blocks * (traits.block_values > 1 ? traits.block_values : 256);
            // As many rows as the largest tile reads (tiles go up to 4 weight x 16 activation rows).
            const std::vector<std::byte> w = random_rows(wt, n, kMaxTileW, rng);
            const std::vector<std::byte> a = random_activations(traits.vec_dot_type, n, kMaxTileA, rng);
            const size_t ws = row_bytes(wt, n), as = row_bytes(traits.vec_dot_type, n);
            for (const DotKernel* k : kernels) {
                QVERIFY(k->max_w <= kMaxTileW && k->max_a <= kMaxTileA);
                const std::vector<std::byte> ka = arranged_for(*k, a, n, kMaxTileA);
                const size_t kas = activation_row_bytes(*k, n);
                for (int nw = 1; nw <= k->max_w; ++nw)
                    for (int na = 1; na <= k->max_a; ++na) {
                        float out[kMaxTileW * kMaxTileA];
                        k->tile(n, w.data(), ws, nw, ka.data(), kas, na, out, kMaxTileW);
                        for (int i = 0; i < nw; ++i)
                            for (int j = 0; j < na; ++j) {
                                const std::byte* wi = w.data() + ws * static_cast<size_t>(i);
                                const std::byte* aj = a.data() + as * static_cast<size_t>(j);
                                const double ref = scalar->vec_dot(n, wi, aj);
                                const double bound =
                                    2e-5 * abs_dot(wt, traits.vec_dot_type, n, wi, aj) + 1e-30;
                                const double got = out[j * kMaxTileW + i];
                                if (!(std::abs(got - ref) <= bound))
                                    QFAIL(qPrintable(
                                        QString("%1 %2 n=%3 tile %4x%5 row %6 act %7: %8 vs reference %9")
                                            .arg(kernel_isa_name(k->isa))
                                            .arg(traits.name.data())
                                            .arg(n)
                                            .arg(nw)
                                            .arg(na)
                                            .arg(i)
                                            .arg(j)
                                            .arg(got, 0, 'g', 9)
                                            .arg(ref, 0, 'g', 9)));
                            }
                        float single[1];
                        k->tile(n, w.data(), ws, 1, ka.data(), kas, 1, single, 1);
                        QCOMPARE(k->vec_dot(n, w.data(), ka.data()), single[0]);
                    }
            }
        }
    }

    // A SIMD activation quantizer may round differently from the scalar one only by one code step.
    void simd_activation_quantizers() {
        std::mt19937 rng(99);
        int checked = 0;
        for (const BlockTraits& t : all_block_traits())
            for (const DotKernel* k : simd_kernels(t.type)) {
                if (!k->quantize) continue;
                const BlockType act = t.vec_dot_type;
                const int64_t n = 1024;
                std::vector<float> x;
                const std::vector<std::byte> ref = random_activations(act, n, 3, rng, &x);
                const size_t rb = row_bytes(act, n);
                std::vector<std::byte> got(ref.size());
                for (int r = 0; r < 3; ++r)
                    k->quantize(x.data() + r * n, got.data() + rb * static_cast<size_t>(r), n);
                if (act == BlockType::F16) {
                    // Both round to nearest even: the halves must be identical.
                    QVERIFY2(got == ref,
                             qPrintable(QString("%1 %2 f16 activations differ from the scalar ones")
                                            .arg(kernel_isa_name(k->isa))
                                            .arg(t.name.data())));
                    ++checked;
                    continue;
                }
                std::vector<float> rf(x.size()), gf(x.size());
                block_traits(act).dequantize_row(ref.data(), rf.data(), 3 * n);
                block_traits(act).dequantize_row(got.data(), gf.data(), 3 * n);
                const int64_t bv = block_traits(act).block_values;
                for (int64_t i = 0; i < 3 * n; ++i) {
                    float amax = 0;
                    for (int64_t j = i / bv * bv; j < (i / bv + 1) * bv; ++j)
                        amax = std::max(amax, std::abs(x[static_cast<size_t>(j)]));
                    const float step = amax / 127.0f;
                    QVERIFY2(std::abs(gf[static_cast<size_t>(i)] - rf[static_cast<size_t>(i)]) <=
                                 1.01f * step + 1e-30f,
                             qPrintable(QString("%1 value %2: %3 vs %4")
                                            .arg(t.name.data())
                                            .arg(i)
                                            .arg(gf[i])
                                            .arg(rf[i])));
                    // Half a step of rounding plus 127 times the rounding of a scale stored as f16.
                    const float stored = act == BlockType::Q8_0 ? f16_to_f32(f32_to_f16(step)) : step;
                    const float bound =
                        0.5f * step + 127.0f * std::abs(stored - step) + 1e-6f * step + 1e-30f;
                    QVERIFY(std::abs(gf[static_cast<size_t>(i)] - x[static_cast<size_t>(i)]) <= bound);
                }
                ++checked;
            }
        if (checked == 0) QSKIP("no SIMD activation quantizer on this machine");
    }

    // matmul (quantized activations, tiles, threads, uneven chunks) equals row-by-row scalar dots.
    void matmul_matches_plain_loop() {
        ThreadPool pool(3);
        std::mt19937 rng(5);
        for (BlockType wt : {BlockType::F32, BlockType::F16, BlockType::Q4_0, BlockType::Q8_0,
                             BlockType::Q4_K, BlockType::Q6_K, BlockType::Q5_1}) {
            const BlockTraits& traits = block_traits(wt);
            const int64_t n = 512, rows = 37;
            for (int64_t tokens : {int64_t{1}, int64_t{5}, int64_t{70}}) {
                const std::vector<std::byte> w = random_rows(wt, n, static_cast<int>(rows), rng);
                std::vector<float> x(static_cast<size_t>(n * tokens));
                std::normal_distribution<float> g;
                for (float& v : x) v = g(rng);
                std::vector<float> y(static_cast<size_t>(rows * tokens));
                MatmulScratch scratch;
                matmul(WeightMatrix{wt, n, rows, w.data(), row_bytes(wt, n)}, x.data(), tokens, y.data(),
                       pool, scratch);
                const DotKernel& k = best_dot_kernel(wt);
                const size_t as = row_bytes(traits.vec_dot_type, n);
                std::vector<std::byte> a(as);
                for (int64_t t = 0; t < tokens; ++t) {
                    if (traits.vec_dot_type == BlockType::F32)
                        std::memcpy(a.data(), x.data() + t * n, as);
                    else
                        (k.quantize ? k.quantize : block_traits(traits.vec_dot_type).quantize_row)(
                            x.data() + t * n, a.data(), n);
                    const std::vector<std::byte> ka = arranged_for(k, a, n, 1);
                    for (int64_t r = 0; r < rows; ++r) {
                        const std::byte* wr = w.data() + static_cast<size_t>(r) * row_bytes(wt, n);
                        const double ref = k.vec_dot(n, wr, ka.data());
                        const double bound = 2e-5 * abs_dot(wt, traits.vec_dot_type, n, wr, a.data()) + 1e-30;
                        QVERIFY2(
                            std::abs(y[static_cast<size_t>(t * rows + r)] - ref) <= bound,
                            qPrintable(QString("%1 token %2 row %3").arg(traits.name.data()).arg(t).arg(r)));
                    }
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(CpuKernels)
#include "test_cpu_kernels.moc"

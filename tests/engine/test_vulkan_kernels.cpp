// Every Vulkan kernel against the CPU: the fused dequantize-and-multiply kernels of each block type
// against the scalar reference dequantizer and a double-precision dot product, on random blocks that
// include zero, tiny (subnormal) and extreme (+-65504) scales and mins; the batch path for batch sizes
// around the tile edges; and the other ops against the CPU engine's own functions.
#include "engine/core/error.h"
#include "engine/cpu/thread_pool.h"
#include "engine/cpu/vector_ops.h"
#include "engine/model/attention.h"
#include "engine/model/kv_cache.h"
#include "engine/model/rms_norm.h"
#include "engine/model/rope.h"
#include "engine/quant/block_type.h"
#include "engine/quant/fp16.h"
#include "engine/vulkan/buffer.h"
#include "engine/vulkan/compute_pipeline.h"
#include "engine/vulkan/device.h"
#include "engine/vulkan/instance.h"
#include "engine/vulkan/kernels.h"
#include "engine/vulkan/planes.h"
#include "tests/support/test_support.h"

#include <QtTest>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

using namespace fireside;

namespace {

const BlockType kTypes[] = {BlockType::F32,  BlockType::F16,  BlockType::Q4_0, BlockType::Q4_1,
                            BlockType::Q5_0, BlockType::Q5_1, BlockType::Q8_0, BlockType::Q2_K,
                            BlockType::Q3_K, BlockType::Q4_K, BlockType::Q5_K, BlockType::Q6_K};

// Byte offsets of the f16 scale/min fields within a block of each quantized type.
std::vector<size_t> scale_fields(BlockType type) {
    switch (type) {
    case BlockType::Q4_0:
    case BlockType::Q5_0:
    case BlockType::Q8_0:
        return {0};
    case BlockType::Q4_1:
    case BlockType::Q5_1:
    case BlockType::Q4_K:
    case BlockType::Q5_K:
        return {0, 2};
    case BlockType::Q2_K:
        return {80, 82};
    case BlockType::Q3_K:
        return {108};
    case BlockType::Q6_K:
        return {208};
    default:
        return {};
    }
}

// n_rows rows of n_cols values in `type`: random bytes everywhere, then finite scales drawn from a set
// that includes zero, the smallest subnormal and the largest half values of both signs.
std::vector<std::byte> random_matrix(BlockType type, int64_t n_cols, int64_t n_rows, std::mt19937& rng) {
    const size_t row = row_bytes(type, n_cols);
    std::vector<std::byte> data(row * static_cast<size_t>(n_rows));
    std::normal_distribution<float> normal(0.0f, 1.0f);
    if (type == BlockType::F32) {
        for (size_t i = 0; i < data.size() / 4; ++i) {
            const float v = normal(rng);
            std::memcpy(data.data() + 4 * i, &v, 4);
        }
        return data;
    }
    if (type == BlockType::F16) {
        for (size_t i = 0; i < data.size() / 2; ++i) {
            const uint16_t h = f32_to_f16(normal(rng) * (i % 97 == 0 ? 3000.0f : 1.0f));
            std::memcpy(data.data() + 2 * i, &h, 2);
        }
        return data;
    }
    std::uniform_int_distribution<int> byte(0, 255);
    for (auto& b : data) b = static_cast<std::byte>(byte(rng));
    const uint16_t special[] = {0x0000, 0x0001, 0x7bff, 0xfbff, 0x8000};
    const BlockTraits& traits = block_traits(type);
    const size_t n_blocks = data.size() / traits.block_bytes;
    std::uniform_int_distribution<int> pick(0, 9);
    for (size_t b = 0; b < n_blocks; ++b) {
        for (size_t field : scale_fields(type)) {
            const int k = pick(rng);
            const uint16_t h = k < 5 ? special[k] : f32_to_f16(normal(rng) * 0.01f);
            std::memcpy(data.data() + b * traits.block_bytes + field, &h, 2);
        }
    }
    return data;
}

std::vector<float> random_floats(size_t n, std::mt19937& rng, float scale = 1.0f) {
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

struct Gpu {
    vk::Instance instance;
    vk::Device device;
    Gpu() : device(instance, instance.choose()) {}
    explicit Gpu(const vk::InstanceOptions& options)
        : instance(options), device(instance, instance.choose()) {}

    std::unique_ptr<vk::Buffer> upload(const void* data, size_t bytes) {
        auto b = std::make_unique<vk::Buffer>(device, (bytes + 3) / 4 * 4 + 4, vk::MemoryKind::HostVisible);
        // Whole 32-bit words plus one: shaders read blocks through 32-bit words, and the backend pads
        // its weight buffers the same way.
        std::memset(b->mapped(), 0, b->size());
        std::memcpy(b->mapped(), data, bytes);
        return b;
    }
    template <typename T>
    std::unique_ptr<vk::Buffer> upload(const std::vector<T>& v) {
        return upload(v.data(), v.size() * sizeof(T));
    }
    std::unique_ptr<vk::Buffer> zeros(size_t bytes) {
        auto b =
            std::make_unique<vk::Buffer>(device, std::max<size_t>(bytes, 4), vk::MemoryKind::HostVisible);
        std::memset(b->mapped(), 0, b->size());
        return b;
    }
};

std::vector<float> read_floats(const vk::Buffer& b, size_t n) {
    const auto* f = static_cast<const float*>(b.mapped());
    return std::vector<float>(f, f + n);
}

// Checks y (n_tokens rows of n_rows results, from y[2]; y[0] must be untouched) against the reference
// dequantizer and double sums: the error allowed is relative to sum |w x| (float accumulation of that
// many terms).
void verify_product(BlockType type, const std::vector<std::byte>& w, const std::vector<float>& x,
                    int64_t n_cols, int64_t n_rows, int64_t n_tokens, const std::vector<float>& y,
                    const char* what) {
    const BlockTraits& traits = block_traits(type);
    const size_t rb = row_bytes(type, n_cols);
    QCOMPARE(y[0], 0.0f); // nothing written before the output offset
    std::vector<float> row(static_cast<size_t>(n_cols));
    for (int64_t r = 0; r < n_rows; ++r) {
        traits.dequantize_row(w.data() + static_cast<size_t>(r) * rb, row.data(), n_cols);
        for (int64_t t = 0; t < n_tokens; ++t) {
            double sum = 0.0, mag = 0.0;
            for (int64_t i = 0; i < n_cols; ++i) {
                const double p =
                    static_cast<double>(row[static_cast<size_t>(i)]) * x[static_cast<size_t>(t * n_cols + i)];
                sum += p;
                mag += std::fabs(p);
            }
            const float got = y[static_cast<size_t>(2 + t * n_rows + r)];
            const double tolerance = 2e-5 * mag + 1e-30;
            if (!(std::fabs(got - sum) <= tolerance))
                QFAIL(qPrintable(
                    QString("%1 %2 %3x%4 batch %5: row %6 token %7: got %8, expected %9 (tolerance %10)")
                        .arg(what)
                        .arg(QString::fromUtf8(traits.name.data(), int(traits.name.size())))
                        .arg(n_rows)
                        .arg(n_cols)
                        .arg(n_tokens)
                        .arg(r)
                        .arg(t)
                        .arg(double(got))
                        .arg(sum)
                        .arg(tolerance)));
        }
    }
}

// Checks y = W x for n_tokens tokens on the GPU, the weights as the file stores them.
void check_mul_mat(Gpu& gpu, vk::Kernels& kernels, BlockType type, int64_t n_cols, int64_t n_rows,
                   int64_t n_tokens, uint32_t seed) {
    std::mt19937 rng(seed);
    const auto w = random_matrix(type, n_cols, n_rows, rng);
    const auto x = random_floats(static_cast<size_t>(n_cols * n_tokens), rng);
    const size_t rb = row_bytes(type, n_cols);
    // A 4-byte offset in front of the weights proves the offset is honoured.
    std::vector<std::byte> padded(16);
    padded.insert(padded.end(), w.begin(), w.end());
    auto wbuf = gpu.upload(padded);
    auto xbuf = gpu.upload(x);
    auto ybuf = gpu.zeros(static_cast<size_t>(n_rows * n_tokens) * 4 + 8);
    gpu.device.submit_and_wait([&](VkCommandBuffer cmd) {
        kernels.mul_mat(cmd, type, {wbuf.get(), 16}, static_cast<uint32_t>(n_cols),
                        static_cast<uint32_t>(n_rows), static_cast<uint32_t>(rb), {xbuf.get(), 0},
                        static_cast<uint32_t>(n_cols), {ybuf.get(), 2}, static_cast<uint32_t>(n_rows),
                        static_cast<uint32_t>(n_tokens));
    });
    verify_product(type, w, x, n_cols, n_rows, n_tokens,
                   read_floats(*ybuf, static_cast<size_t>(n_rows * n_tokens) + 2), "file layout");
}

// The same through the repacked planes: the weights after one 16-byte unit of padding, the
// activations after four floats.
void check_planes(Gpu& gpu, vk::Kernels& kernels, BlockType type, int64_t n_cols, int64_t n_rows,
                  int64_t n_tokens, uint32_t seed) {
    std::mt19937 rng(seed);
    const auto w = random_matrix(type, n_cols, n_rows, rng);
    const auto x = random_floats(static_cast<size_t>(n_cols * n_tokens), rng);
    const vk::Planes planes = vk::make_planes(type, w.data(), n_cols, n_rows, row_bytes(type, n_cols));
    QCOMPARE(uint64_t(planes.bytes.size()), vk::planes_bytes(type, n_cols, n_rows));
    std::vector<std::byte> padded(16);
    padded.insert(padded.end(), planes.bytes.begin(), planes.bytes.end());
    std::vector<float> xpadded(4);
    xpadded.insert(xpadded.end(), x.begin(), x.end());
    auto wbuf = gpu.upload(padded);
    auto xbuf = gpu.upload(xpadded);
    auto ybuf = gpu.zeros(static_cast<size_t>(n_rows * n_tokens) * 4 + 8);
    gpu.device.submit_and_wait([&](VkCommandBuffer cmd) {
        kernels.mul_mat_planes(cmd, type, {wbuf.get(), 1}, planes.scales_at, static_cast<uint32_t>(n_cols),
                               static_cast<uint32_t>(n_rows), {xbuf.get(), 4}, static_cast<uint32_t>(n_cols),
                               {ybuf.get(), 2}, static_cast<uint32_t>(n_rows),
                               static_cast<uint32_t>(n_tokens));
    });
    verify_product(type, w, x, n_cols, n_rows, n_tokens,
                   read_floats(*ybuf, static_cast<size_t>(n_rows * n_tokens) + 2), "planes");
}

int64_t cols_for(BlockType type, bool odd) {
    const BlockTraits& t = block_traits(type);
    if (t.block_values == 1) return odd ? 173 : 160; // f32/f16 rows need not fill 16-value chunks
    return t.block_values * (t.block_values == 256 ? 2 : 5);
}

} // namespace

class TestVulkanKernels : public QObject {
    Q_OBJECT

    std::unique_ptr<Gpu> gpu_;

private slots:
    void initTestCase() { gpu_ = std::make_unique<Gpu>(); }
    void cleanupTestCase() { gpu_.reset(); }

    void every_type_has_a_kernel() {
        for (BlockType t : kTypes) QVERIFY(vk::Kernels::supports(t));
        QVERIFY(!vk::Kernels::supports(BlockType::Q8_K));
    }

    // One token, with each work split the kernels support: one invocation per row (CPU rasterizers),
    // a shared-memory reduction over 32 invocations per row (GPUs), and one in between.
    void matvec_every_type_every_split() {
        const vk::MatmulShape shapes[] = {{1, 64}, {32, 2}, {4, 8}};
        uint32_t seed = 1;
        for (const auto& shape : shapes) {
            vk::Kernels kernels(gpu_->device, shape);
            for (BlockType t : kTypes) {
                check_mul_mat(*gpu_, kernels, t, cols_for(t, false), 37, 1, seed++);
                if (QTest::currentTestFailed()) return;
                if (block_traits(t).block_values == 1)
                    check_mul_mat(*gpu_, kernels, t, cols_for(t, true), 5, 1, seed++);
                if (QTest::currentTestFailed()) return;
            }
        }
    }

    // Prompt batches of every size around the 8-token tile and the 32-token edge where other
    // engines have failed on lavapipe, up to a full 512-token batch.
    void matmul_any_batch_size() {
        vk::Kernels kernels(gpu_->device);
        uint32_t seed = 100;
        for (int64_t n : {1, 31, 32, 33, 130, 512})
            for (BlockType t : {BlockType::F32, BlockType::Q4_0, BlockType::Q6_K}) {
                check_mul_mat(*gpu_, kernels, t, cols_for(t, false), 19, n, seed++);
                if (QTest::currentTestFailed()) return;
            }
        for (BlockType t : kTypes) {
            check_mul_mat(*gpu_, kernels, t, cols_for(t, false), 9, 33, seed++);
            if (QTest::currentTestFailed()) return;
        }
    }

    // Repacked q4_0 and q6_K against the reference: rows of 1, 3, 5 (a partial quad of q4_0 scales)
    // and more blocks, row counts around the group of 8 and the 64 rows of a mat-vec workgroup, one
    // token and batches around the 8-token tile, with zero, subnormal and +-65504 scales
    // (random_matrix; q6_K's int8 sub-block scales are random bytes).
    void planes_match_the_reference() {
        vk::Kernels kernels(gpu_->device);
        uint32_t seed = 500;
        for (BlockType type : {BlockType::Q4_0, BlockType::Q6_K})
            for (int64_t blocks : {1, 3, 5, 16})
                for (int64_t rows : {1, 7, 8, 9, 33, 65, 70})
                    for (int64_t n_tok : {1, 2, 8, 9}) {
                        check_planes(*gpu_, kernels, type, block_traits(type).block_values * blocks, rows,
                                     n_tok, seed++);
                        if (QTest::currentTestFailed()) return;
                    }
    }

    // One token over long rows (up to 16384 values, the FFN of a 7B model is 11008), where the four
    // row groups a mat-vec invocation serves run past the last group.
    void planes_long_rows() {
        vk::Kernels kernels(gpu_->device);
        uint32_t seed = 700;
        for (BlockType type : {BlockType::Q4_0, BlockType::Q6_K})
            for (int64_t cols : {int64_t{4096}, int64_t{16384}})
                for (int64_t rows : {5, 40}) {
                    check_planes(*gpu_, kernels, type, cols, rows, 1, seed++);
                    if (QTest::currentTestFailed()) return;
                }
    }

    void planes_accumulate_and_refuse_bad_shapes() {
        vk::Kernels kernels(gpu_->device);
        std::mt19937 rng(6);
        const int64_t n_cols = 96, n_rows = 12;
        const auto w = random_matrix(BlockType::Q4_0, n_cols, n_rows, rng);
        const auto x = random_floats(n_cols, rng);
        const auto y0 = random_floats(n_rows, rng);
        const vk::Planes planes =
            vk::make_planes(BlockType::Q4_0, w.data(), n_cols, n_rows, row_bytes(BlockType::Q4_0, n_cols));
        auto wb = gpu_->upload(planes.bytes), xb = gpu_->upload(x), yb = gpu_->upload(y0),
             plain = gpu_->zeros(y0.size() * 4);
        gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
            kernels.mul_mat_planes(cmd, BlockType::Q4_0, {wb.get(), 0}, planes.scales_at, n_cols, n_rows,
                                   {xb.get(), 0}, n_cols, {yb.get(), 0}, n_rows, 1, true);
            kernels.mul_mat_planes(cmd, BlockType::Q4_0, {wb.get(), 0}, planes.scales_at, n_cols, n_rows,
                                   {xb.get(), 0}, n_cols, {plain.get(), 0}, n_rows, 1, false);
        });
        const auto acc = read_floats(*yb, y0.size()), only = read_floats(*plain, y0.size());
        for (size_t i = 0; i < y0.size(); ++i)
            QVERIFY(std::fabs(acc[i] - (y0[i] + only[i])) <= 1e-5f * (1 + std::fabs(acc[i])));

        QVERIFY(!vk::has_planes(BlockType::Q8_0));
        QVERIFY_THROWS_EXCEPTION(Error, vk::make_planes(BlockType::Q4_0, w.data(), 48, 1, 27));
        QVERIFY_THROWS_EXCEPTION(Error, vk::make_planes(BlockType::Q6_K, w.data(), 96, 1, 210));
        QVERIFY_THROWS_EXCEPTION(Error, vk::make_planes(BlockType::Q8_0, w.data(), 64, 1, 68));
        gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
            QVERIFY_THROWS_EXCEPTION(
                Error, kernels.mul_mat_planes(cmd, BlockType::Q4_0, {wb.get(), 0}, planes.scales_at, n_cols,
                                              n_rows, {xb.get(), 2}, n_cols, {plain.get(), 0}, n_rows, 1));
        });
    }

    void matmul_accumulates_for_the_residual() {
        vk::Kernels kernels(gpu_->device);
        std::mt19937 rng(5);
        const int64_t n_cols = 64, n_rows = 8, n_tok = 3;
        const auto w = random_matrix(BlockType::Q8_0, n_cols, n_rows, rng);
        const auto x = random_floats(n_cols * n_tok, rng);
        const auto y0 = random_floats(n_rows * n_tok, rng);
        auto wb = gpu_->upload(w), xb = gpu_->upload(x), yb = gpu_->upload(y0),
             plain = gpu_->zeros(y0.size() * 4);
        gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
            kernels.mul_mat(cmd, BlockType::Q8_0, {wb.get(), 0}, n_cols, n_rows,
                            row_bytes(BlockType::Q8_0, n_cols), {xb.get(), 0}, n_cols, {yb.get(), 0}, n_rows,
                            n_tok, true);
            kernels.mul_mat(cmd, BlockType::Q8_0, {wb.get(), 0}, n_cols, n_rows,
                            row_bytes(BlockType::Q8_0, n_cols), {xb.get(), 0}, n_cols, {plain.get(), 0},
                            n_rows, n_tok, false);
        });
        const auto acc = read_floats(*yb, y0.size()), only = read_floats(*plain, y0.size());
        for (size_t i = 0; i < y0.size(); ++i)
            QVERIFY(std::fabs(acc[i] - (y0[i] + only[i])) <= 1e-5f * (1 + std::fabs(acc[i])));
    }

    void embedding_rows_every_type() {
        vk::Kernels kernels(gpu_->device);
        uint32_t seed = 300;
        for (BlockType t : kTypes) {
            std::mt19937 rng(seed++);
            const int64_t n_cols = cols_for(t, true), n_rows = 11;
            const auto table = random_matrix(t, n_cols, n_rows, rng);
            const std::vector<uint32_t> ids = {3, 0, 10, 3, 7};
            auto tb = gpu_->upload(table), ib = gpu_->upload(ids);
            auto out = gpu_->zeros(ids.size() * static_cast<size_t>(n_cols) * 4);
            const size_t rb = row_bytes(t, n_cols);
            gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
                kernels.get_rows(cmd, t, {tb.get(), 0}, n_cols, rb, {ib.get(), 0}, ids.size(), {out.get(), 0},
                                 n_cols);
            });
            const auto got = read_floats(*out, ids.size() * static_cast<size_t>(n_cols));
            std::vector<float> want(static_cast<size_t>(n_cols));
            for (size_t k = 0; k < ids.size(); ++k) {
                block_traits(t).dequantize_row(table.data() + ids[k] * rb, want.data(), n_cols);
                for (int64_t i = 0; i < n_cols; ++i) {
                    const float g = got[k * static_cast<size_t>(n_cols) + static_cast<size_t>(i)];
                    const float e = want[static_cast<size_t>(i)];
                    QVERIFY2(std::fabs(g - e) <= 1e-6f * std::fabs(e) || g == e,
                             qPrintable(QString("%1 id %2 value %3: %4 vs %5")
                                            .arg(QString::fromUtf8(block_traits(t).name.data()))
                                            .arg(ids[k])
                                            .arg(i)
                                            .arg(double(g))
                                            .arg(double(e))));
                }
            }
        }
    }

    void rms_norm_matches_the_cpu() {
        vk::Kernels kernels(gpu_->device);
        std::mt19937 rng(7);
        const uint32_t n = 200, rows = 6;
        const auto x = random_floats(n * rows, rng, 0.02f);
        const auto w = random_floats(n, rng);
        auto xb = gpu_->upload(x), wb = gpu_->upload(w), yb = gpu_->zeros(n * rows * 4);
        gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
            kernels.rms_norm(cmd, {xb.get(), 0}, {wb.get(), 0}, {yb.get(), 0}, n, n, rows, 1e-5f);
        });
        const auto got = read_floats(*yb, n * rows);
        std::vector<float> want(n);
        for (uint32_t r = 0; r < rows; ++r) {
            rms_norm(x.data() + r * n, w.data(), want.data(), n, 1e-5f);
            for (uint32_t i = 0; i < n; ++i)
                QVERIFY(std::fabs(got[r * n + i] - want[i]) <= 1e-5f * (1 + std::fabs(want[i])));
        }
    }

    void rope_matches_the_cpu_with_scaling() {
        vk::Kernels kernels(gpu_->device);
        std::mt19937 rng(8);
        const uint32_t heads = 3, hd = 16, n_rot = 12, n_tok = 5, pos0 = 40;
        RopeParams params{n_rot, 20000.0f, 0.5f};
        std::vector<float> table(n_tok * n_rot);
        for (uint32_t t = 0; t < n_tok; ++t) rope_angles(params, pos0 + t, table.data() + t * n_rot);
        const auto x = random_floats(n_tok * heads * hd, rng);
        auto xb = gpu_->upload(x), tb = gpu_->upload(table);
        gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
            kernels.rope(cmd, {xb.get(), 0}, heads * hd, {tb.get(), 0}, heads, hd, n_rot, n_tok);
        });
        auto want = x;
        for (uint32_t t = 0; t < n_tok; ++t)
            apply_rope(want.data() + t * heads * hd, heads, hd, n_rot, table.data() + t * n_rot);
        const auto got = read_floats(*xb, x.size());
        for (size_t i = 0; i < x.size(); ++i)
            QVERIFY(std::fabs(got[i] - want[i]) <= 1e-6f * (1 + std::fabs(want[i])));
        // Values past n_rot are left alone.
        QCOMPARE(got[hd - 1], x[hd - 1]);
    }

    // Cache rows read back (what the KV shift moves) in both formats: f32 exactly, f16 as the
    // CPU's rounding of the stored values.
    void kv_rows_read_back() {
        vk::Kernels kernels(gpu_->device);
        std::mt19937 rng(11);
        const uint32_t kv_dim = 48, n_ctx = 20, n_tok = 7, pos0 = 9;
        for (bool f16 : {true, false}) {
            const auto rows = random_floats(n_tok * kv_dim, rng, 3.0f);
            auto src = gpu_->upload(rows);
            auto cache = gpu_->zeros(size_t{n_ctx} * kv_dim * (f16 ? 2 : 4));
            auto out = gpu_->zeros((size_t{n_tok} * (kv_dim + 4) + 4) * 4);
            gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
                kernels.kv_store(cmd, {src.get(), 0}, kv_dim, {cache.get(), 0}, kv_dim, n_tok, pos0, f16);
                vk::compute_barrier(cmd);
                // Rows kv_dim + 4 floats apart, after four floats: stride and offset are honoured.
                kernels.kv_load(cmd, {cache.get(), 0}, kv_dim, n_tok, pos0, f16, {out.get(), 4}, kv_dim + 4);
            });
            const auto got = read_floats(*out, size_t{n_tok} * (kv_dim + 4) + 4);
            QCOMPARE(got[0], 0.0f);
            for (uint32_t t = 0; t < n_tok; ++t)
                for (uint32_t i = 0; i < kv_dim; ++i) {
                    const float v = rows[t * kv_dim + i];
                    QCOMPARE(got[4 + t * (kv_dim + 4) + i], f16 ? f16_to_f32(f32_to_f16(v)) : v);
                }
        }
    }

    // KV writes in both cache formats and causal grouped-query attention, decode and prefill, against
    // the CPU engine's cache and attention.
    void attention_matches_the_cpu() {
        vk::Kernels kernels(gpu_->device);
        for (bool f16 : {true, false}) {
            for (uint32_t head_dim : {64u, 128u}) {
                std::mt19937 rng(9 + head_dim + (f16 ? 1 : 0));
                const uint32_t n_head = 8, n_head_kv = 2, kv_dim = n_head_kv * head_dim,
                               q_dim = n_head * head_dim;
                const uint32_t n_ctx = 160;
                ThreadPool pool(2);
                KvCache cache(1, n_ctx, n_head_kv, head_dim, f16 ? BlockType::F16 : BlockType::F32);
                AttentionScratch scratch;
                auto kc = gpu_->zeros(size_t{n_ctx} * kv_dim * (f16 ? 2 : 4));
                auto vc = gpu_->zeros(size_t{n_ctx} * kv_dim * (f16 ? 2 : 4));
                uint32_t pos = 0;
                // A 130-token prefill (past two 64-position tiles), then three single-token steps.
                for (uint32_t n_tok : {130u, 1u, 1u, 1u}) {
                    const auto q = random_floats(n_tok * q_dim, rng);
                    const auto k = random_floats(n_tok * kv_dim, rng);
                    const auto v = random_floats(n_tok * kv_dim, rng);
                    cache.store(0, pos, n_tok, k.data(), v.data());
                    std::vector<float> want(n_tok * q_dim);
                    attention(q.data(), cache, 0, AttentionShape{n_head, n_head_kv, head_dim}, pos, n_tok,
                              want.data(), pool, scratch);
                    auto qb = gpu_->upload(q), kb = gpu_->upload(k), vb = gpu_->upload(v),
                         ob = gpu_->zeros(want.size() * 4);
                    gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
                        kernels.kv_store(cmd, {kb.get(), 0}, kv_dim, {kc.get(), 0}, kv_dim, n_tok, pos, f16);
                        kernels.kv_store(cmd, {vb.get(), 0}, kv_dim, {vc.get(), 0}, kv_dim, n_tok, pos, f16);
                        vk::compute_barrier(cmd);
                        kernels.attention(cmd, {n_head, n_head_kv, head_dim, kv_dim, pos, n_tok, f16},
                                          {qb.get(), 0}, q_dim, {kc.get(), 0}, {vc.get(), 0}, {ob.get(), 0},
                                          q_dim);
                    });
                    const auto got = read_floats(*ob, want.size());
                    for (size_t i = 0; i < want.size(); ++i)
                        // With an f16 cache, a weight that the two exp() implementations put on either
                        // side of an f16 rounding boundary moves the output by up to ~1e-4 per flip.
                        QVERIFY2(std::fabs(got[i] - want[i]) <=
                                     (f16 ? 1e-3f : 2e-5f) * (1 + std::fabs(want[i])),
                                 qPrintable(QString("f16 %1 hd %2 pos %3 i %4: %5 vs %6")
                                                .arg(f16)
                                                .arg(head_dim)
                                                .arg(pos)
                                                .arg(i)
                                                .arg(double(got[i]))
                                                .arg(double(want[i]))));
                    pos += n_tok;
                }
            }
        }
    }

    void softmax_swiglu_and_add() {
        vk::Kernels kernels(gpu_->device);
        std::mt19937 rng(10);
        const uint32_t n = 300, rows = 3;
        auto s = random_floats(n * rows, rng, 20.0f);
        auto g = random_floats(n * rows, rng, 4.0f);
        auto u = random_floats(n * rows, rng);
        auto sb = gpu_->upload(s), gb = gpu_->upload(g), ub = gpu_->upload(u), ab = gpu_->upload(u);
        gpu_->device.submit_and_wait([&](VkCommandBuffer cmd) {
            kernels.softmax(cmd, {sb.get(), 0}, n, n, rows);
            kernels.swiglu(cmd, {gb.get(), 0}, {ub.get(), 0}, n * rows);
            vk::compute_barrier(cmd);
            kernels.add(cmd, {ab.get(), 0}, {gb.get(), 0}, n * rows);
        });
        const auto sm = read_floats(*sb, s.size());
        for (uint32_t r = 0; r < rows; ++r) {
            double m = -1e30, sum = 0;
            for (uint32_t i = 0; i < n; ++i) m = std::max<double>(m, s[r * n + i]);
            for (uint32_t i = 0; i < n; ++i) sum += std::exp(s[r * n + i] - m);
            for (uint32_t i = 0; i < n; ++i) {
                const double e = std::exp(s[r * n + i] - m) / sum;
                QVERIFY(std::fabs(sm[r * n + i] - e) <= 1e-6 + 1e-5 * e);
            }
        }
        auto want = g;
        swiglu(want.data(), u.data(), n * rows);
        const auto got = read_floats(*gb, g.size());
        for (size_t i = 0; i < g.size(); ++i)
            QVERIFY(std::fabs(got[i] - want[i]) <= 1e-5f * (1 + std::fabs(want[i])));
        const auto sum = read_floats(*ab, u.size());
        for (size_t i = 0; i < u.size(); ++i) QCOMPARE(sum[i], u[i] + got[i]);
    }
};

QTEST_GUILESS_MAIN(TestVulkanKernels)
#include "test_vulkan_kernels.moc"

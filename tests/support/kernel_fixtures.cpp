#include "tests/support/kernel_fixtures.h"

#include "engine/cpu/matmul.h"
#include "engine/cpu/thread_pool.h"
#include "engine/cpu/vector_ops.h"
#include "engine/quant/blocks.h"
#include "engine/quant/fp16.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace fireside::test {

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

float pick_scale(std::mt19937& rng) {
    static const float special[] = {0.0f, 65504.0f, -65504.0f, 6.0e-8f, 1.0e-3f, -2.5f};
    const int k = std::uniform_int_distribution<int>(0, 9)(rng);
    if (k < 6) return special[k];
    return std::uniform_real_distribution<float>(-0.1f, 0.1f)(rng);
}

std::vector<std::byte> random_rows(BlockType type, int64_t n, int rows, std::mt19937& rng) {
    const BlockTraits& t = block_traits(type);
    std::vector<std::byte> data(row_bytes(type, n) * static_cast<size_t>(rows));
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

std::vector<std::byte> random_activations(BlockType act, int64_t n, int rows, std::mt19937& rng,
                                          std::vector<float>* floats) {
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

double abs_dot(BlockType wt, BlockType at, int64_t n, const std::byte* w, const std::byte* a) {
    std::vector<float> wf(static_cast<size_t>(n)), af(static_cast<size_t>(n));
    block_traits(wt).dequantize_row(w, wf.data(), n);
    block_traits(at).dequantize_row(a, af.data(), n);
    double s = 0;
    for (size_t i = 0; i < wf.size(); ++i) s += std::abs(static_cast<double>(wf[i]) * af[i]);
    return s;
}

std::vector<const DotKernel*> simd_kernels(BlockType type) {
    std::vector<const DotKernel*> out;
    for (KernelIsa isa : {KernelIsa::Avx2, KernelIsa::Avx512, KernelIsa::Avx512Vbmi, KernelIsa::Neon})
        if (const DotKernel* k = dot_kernel_for(type, isa)) {
            out.push_back(k);
            if (k->batch) out.push_back(k->batch);
        }
    return out;
}

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

bool CheckLog::check(bool ok, const std::string& what) {
    if (ok) {
        ++passed;
        return true;
    }
    ++failed;
    if (failures.size() < 30) failures.push_back(what);
    return false;
}

namespace {

std::string fmt_g(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

// A tile's results (out[j * out_stride + i] = weight row i . activation row j) against the scalar dot
// product of each pair, within 2e-5 of the sum of the products' magnitudes: "" when all agree, else
// the first pair that does not.
std::string first_mismatch(const DotKernel& scalar, BlockType wt, int64_t n, const std::byte* w, size_t ws,
                           int nw, const std::byte* a, size_t as, int na, const float* out,
                           size_t out_stride) {
    const BlockType at = block_traits(wt).vec_dot_type;
    for (int i = 0; i < nw; ++i)
        for (int j = 0; j < na; ++j) {
            const std::byte* wi = w + ws * static_cast<size_t>(i);
            const std::byte* aj = a + as * static_cast<size_t>(j);
            const double ref = scalar.vec_dot(n, wi, aj);
            const double bound = 2e-5 * abs_dot(wt, at, n, wi, aj) + 1e-30;
            const double got = out[static_cast<size_t>(j) * out_stride + static_cast<size_t>(i)];
            if (!(std::abs(got - ref) <= bound))
                return " row " + std::to_string(i) + " act " + std::to_string(j) + ": " + fmt_g(got) +
                       " vs reference " + fmt_g(ref);
        }
    return {};
}

} // namespace

const BlockType kWeightTypes[] = {BlockType::F32,  BlockType::F16,  BlockType::Q4_0, BlockType::Q4_1,
                                  BlockType::Q5_0, BlockType::Q5_1, BlockType::Q8_0, BlockType::Q2_K,
                                  BlockType::Q3_K, BlockType::Q4_K, BlockType::Q5_K, BlockType::Q6_K};

std::string kernel_name(const DotKernel& k) {
    const DotKernel* plain = dot_kernel_for(k.type, k.isa);
    const char* batch = plain && plain->batch == &k ? " batch" : "";
    return std::string(kernel_isa_name(k.isa)) + " " + std::string(block_traits(k.type).name) + batch;
}

// Every tile shape of every SIMD kernel against the scalar dot product of each row pair.
void simd_matches_scalar_reference(BlockType wt, CheckLog& log) {
    const BlockTraits& traits = block_traits(wt);
    const DotKernel* scalar = dot_kernel_for(wt, KernelIsa::Scalar);
    if (!log.check(scalar != nullptr, std::string(traits.name) + ": no scalar kernel")) return;
    const std::vector<const DotKernel*> kernels = simd_kernels(wt);
    std::mt19937 rng(1234 + static_cast<unsigned>(wt));
    // One block, an odd number of blocks, groups of blocks plus a tail, a long row; the float formats
    // also get lengths that are not a multiple of the vector width.
    std::vector<int64_t> lengths;
    const int64_t unit = traits.block_values > 1 ? traits.block_values : 256;
    for (int64_t blocks : {1, 3, 6, 16}) lengths.push_back(blocks * unit);
    if (traits.block_values == 1)
        for (int64_t n : {1, 3, 7, 21, 259}) lengths.push_back(n);
    for (int64_t n : lengths) {
        const std::vector<std::byte> w = random_rows(wt, n, kMaxTileW, rng);
        const std::vector<std::byte> a = random_activations(traits.vec_dot_type, n, kMaxTileA, rng);
        const size_t ws = row_bytes(wt, n), as = row_bytes(traits.vec_dot_type, n);
        for (const DotKernel* k : kernels) {
            if (!log.check(k->max_w <= kMaxTileW && k->max_a <= kMaxTileA,
                           kernel_name(*k) + ": tile too large"))
                continue;
            const std::vector<std::byte> ka = arranged_for(*k, a, n, kMaxTileA);
            const size_t kas = activation_row_bytes(*k, n);
            for (int nw = 1; nw <= k->max_w; ++nw)
                for (int na = 1; na <= k->max_a; ++na) {
                    float out[kMaxTileW * kMaxTileA];
                    std::fill(std::begin(out), std::end(out), std::nanf(""));
                    k->tile(n, w.data(), ws, nw, ka.data(), kas, na, out, kMaxTileW);
                    const std::string first =
                        first_mismatch(*scalar, wt, n, w.data(), ws, nw, a.data(), as, na, out, kMaxTileW);
                    log.check(first.empty(), kernel_name(*k) + " n=" + std::to_string(n) + " tile " +
                                                 std::to_string(nw) + "x" + std::to_string(na) + first);
                }
            float single = 0.0f;
            k->tile(n, w.data(), ws, 1, ka.data(), kas, 1, &single, 1);
            const float direct = k->vec_dot(n, w.data(), ka.data());
            log.check(std::memcmp(&direct, &single, sizeof single) == 0,
                      kernel_name(*k) + " n=" + std::to_string(n) + ": vec_dot " + fmt_g(direct) +
                          " differs from the 1x1 tile " + fmt_g(single));
        }
    }
}

// Packed kernels (weights repacked sixteen rows at a time) against the scalar dot product of each
// row pair: two groups of rows, every activation count.
void packed_matches_scalar_reference(BlockType wt, CheckLog& log) {
    const BlockTraits& traits = block_traits(wt);
    const DotKernel* scalar = dot_kernel_for(wt, KernelIsa::Scalar);
    if (!scalar) return;
    std::vector<const DotKernel*> packed;
    for (const DotKernel* k : simd_kernels(wt))
        if (k->packed && std::find(packed.begin(), packed.end(), k->packed) == packed.end())
            packed.push_back(k->packed);
    std::mt19937 rng(4321 + static_cast<unsigned>(wt));
    const int64_t unit = traits.block_values > 1 ? traits.block_values : 256;
    constexpr int kRows = 2 * static_cast<int>(kPackedRows);
    for (const DotKernel* k : packed)
        for (int64_t blocks : {1, 3, 16}) {
            const int64_t n = blocks * unit;
            const std::vector<std::byte> w = random_rows(wt, n, kRows, rng);
            const std::vector<std::byte> a = random_activations(traits.vec_dot_type, n, kMaxTileA, rng);
            const size_t ws = row_bytes(wt, n), as = row_bytes(traits.vec_dot_type, n);
            std::vector<std::byte> repacked(w.size());
            for (int g = 0; g < kRows / kPackedRows; ++g)
                k->repack(w.data() + ws * kPackedRows * static_cast<size_t>(g), ws,
                          repacked.data() + ws * kPackedRows * static_cast<size_t>(g), n);
            const std::vector<std::byte> ka = arranged_for(*k, a, n, kMaxTileA);
            const size_t kas = activation_row_bytes(*k, n);
            for (int g = 0; g < kRows / kPackedRows; ++g)
                for (int na = 1; na <= k->max_a; ++na) {
                    float out[kPackedRows * kMaxTileA];
                    std::fill(std::begin(out), std::end(out), std::nanf(""));
                    k->tile(n, repacked.data() + ws * kPackedRows * static_cast<size_t>(g), ws,
                            static_cast<int>(kPackedRows), ka.data(), kas, na, out, kPackedRows);
                    const std::string first =
                        first_mismatch(*scalar, wt, n, w.data() + ws * kPackedRows * static_cast<size_t>(g),
                                       ws, static_cast<int>(kPackedRows), a.data(), as, na, out, kPackedRows);
                    log.check(first.empty(), kernel_name(*k) + " packed n=" + std::to_string(n) + " group " +
                                                 std::to_string(g) + " x" + std::to_string(na) + first);
                }
        }
}

// A SIMD activation quantizer may differ from the scalar one by one code step (f16: not at all).
void simd_activation_quantizers(CheckLog& log) {
    std::mt19937 rng(99);
    for (BlockType wt : kWeightTypes)
        for (const DotKernel* k : simd_kernels(wt)) {
            if (!k->quantize) continue;
            const BlockType act = block_traits(wt).vec_dot_type;
            const std::string name = kernel_name(*k) + " quantizer";
            const int64_t n = 1024;
            std::vector<float> x;
            std::vector<std::byte> ref = random_activations(act, n, 3, rng, &x);
            const size_t rb = row_bytes(act, n);
            if (act == BlockType::Q8_K) {
                // Largest magnitudes of both signs (the first one sets the sign) and an infinity.
                x[static_cast<size_t>(2 * n + 300)] = -9.5f;
                x[static_cast<size_t>(2 * n + 340)] = 9.5f;
                x[static_cast<size_t>(2 * n + 600)] = std::numeric_limits<float>::infinity();
                block_traits(act).quantize_row(x.data() + 2 * n, ref.data() + 2 * rb, n);
            }
            std::vector<std::byte> got(ref.size());
            for (int r = 0; r < 3; ++r)
                k->quantize(x.data() + r * n, got.data() + rb * static_cast<size_t>(r), n);
            // f16 conversion and q8_K's rule (no rescaled step to round) leave nothing to differ in.
            if (act == BlockType::F16 || act == BlockType::Q8_K) {
                log.check(got == ref, name + ": activations differ from the scalar ones");
                continue;
            }
            std::vector<float> rf(x.size()), gf(x.size());
            block_traits(act).dequantize_row(ref.data(), rf.data(), 3 * n);
            block_traits(act).dequantize_row(got.data(), gf.data(), 3 * n);
            const int64_t bv = block_traits(act).block_values;
            bool ok = true;
            std::string first;
            for (int64_t i = 0; i < 3 * n && ok; ++i) {
                float amax = 0;
                for (int64_t j = i / bv * bv; j < (i / bv + 1) * bv; ++j)
                    amax = std::max(amax, std::abs(x[static_cast<size_t>(j)]));
                const float step = amax / 127.0f;
                const float g = gf[static_cast<size_t>(i)], r = rf[static_cast<size_t>(i)];
                const float v = x[static_cast<size_t>(i)];
                const float stored = act == BlockType::Q8_0 ? f16_to_f32(f32_to_f16(step)) : step;
                const float bound = 0.5f * step + 127.0f * std::abs(stored - step) + 1e-6f * step + 1e-30f;
                if (!(std::abs(g - r) <= 1.01f * step + 1e-30f) || !(std::abs(g - v) <= bound)) {
                    ok = false;
                    first = ": value " + std::to_string(i) + " " + fmt_g(g) + " vs scalar " + fmt_g(r) +
                            " (input " + fmt_g(v) + ")";
                }
            }
            log.check(ok, name + first);
        }
}

// matmul with the best kernel (quantized activations, tiles, threads, uneven chunks) against row dots.
void matmul_matches_plain_loop(CheckLog& log) {
    ThreadPool pool(3);
    std::mt19937 rng(5);
    for (BlockType wt : kWeightTypes) {
        const BlockTraits& traits = block_traits(wt);
        const int64_t n = 512, rows = 37;
        for (int64_t tokens : {int64_t{1}, int64_t{5}, int64_t{70}}) {
            const std::vector<std::byte> w = random_rows(wt, n, static_cast<int>(rows), rng);
            std::vector<float> x(static_cast<size_t>(n * tokens));
            std::normal_distribution<float> g;
            for (float& v : x) v = g(rng);
            std::vector<float> y(static_cast<size_t>(rows * tokens));
            MatmulScratch scratch;
            matmul(WeightMatrix{wt, n, rows, w.data(), row_bytes(wt, n)}, x.data(), tokens, y.data(), pool,
                   scratch);
            const DotKernel& k = best_dot_kernel(wt);
            const size_t as = row_bytes(traits.vec_dot_type, n);
            std::vector<std::byte> a(as);
            bool ok = true;
            std::string first;
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
                    const double got = y[static_cast<size_t>(t * rows + r)];
                    if (!(std::abs(got - ref) <= bound) && ok) {
                        ok = false;
                        first = " token " + std::to_string(t) + " row " + std::to_string(r) + ": " +
                                fmt_g(got) + " vs " + fmt_g(ref);
                    }
                }
            }
            log.check(ok, std::string("matmul ") + kernel_isa_name(k.isa) + " " + std::string(traits.name) +
                              " tokens=" + std::to_string(tokens) + first);
        }
    }
}

} // namespace fireside::test

namespace fireside::test {

void float_primitives_match_double(CheckLog& log) {
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 4.0f);
    for (int64_t n : {1, 7, 8, 9, 64, 1000}) {
        std::vector<float> gate(static_cast<size_t>(n)), up(gate.size());
        for (size_t i = 0; i < gate.size(); ++i) {
            gate[i] = normal(rng);
            up[i] = normal(rng);
        }
        // Where e^-x overflows or vanishes, and exact zero.
        const float extremes[] = {-120.0f, -89.0f, -87.5f, 0.0f, 88.5f, 120.0f, -1e-30f};
        for (size_t i = 0; i < std::size(extremes) && i < gate.size(); ++i) gate[i] = extremes[i];
        std::vector<float> got = gate;
        swiglu(got.data(), up.data(), n);
        bool ok = true;
        for (size_t i = 0; i < gate.size(); ++i) {
            const double g = gate[i], want = g / (1.0 + std::exp(-g)) * up[i];
            ok &= std::abs(got[i] - want) <= 4e-7 * std::abs(want) + 1e-35; // results near FLT_MIN may flush
        }
        log.check(ok, "swiglu, n = " + std::to_string(n));

        std::vector<float> x(static_cast<size_t>(n));
        for (float& v : x) v = 3.0f * normal(rng);
        if (n > 2) x[1] = -200.0f; // a weight that underflows to zero
        const float scale = 0.125f;
        std::vector<float> p = x;
        softmax(p.data(), n, scale);
        double max = -INFINITY, sum = 0.0;
        for (float v : x) max = std::max(max, static_cast<double>(v) * scale);
        for (float v : x) sum += std::exp(static_cast<double>(v) * scale - max);
        ok = true;
        for (size_t i = 0; i < x.size(); ++i) {
            const double want = std::exp(static_cast<double>(x[i]) * scale - max) / sum;
            ok &= std::abs(p[i] - want) <= 1e-6 * want + 1e-30;
        }
        log.check(ok, "softmax, n = " + std::to_string(n));
    }
}

} // namespace fireside::test

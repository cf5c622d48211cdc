// AVX2 + FMA + F16C kernels. This file is compiled with those instruction sets enabled, so it must not
// define or instantiate inline functions that other files share (no standard library templates); its
// functions are only called after cpu_features() confirmed the instructions exist.
//
// Byte dot products use VPMADDUBSW (u8 x s8 pairs to saturating 16-bit sums) then VPMADDWD: weight codes
// are at most 63 here, so the 16-bit pair sums cannot saturate; q8_0's signed codes go through the sign
// trick (|w| times y with w's sign).
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/f16_convert.h"
#include "engine/cpu/vector_ops.h"
#include "engine/quant/blocks.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#include <immintrin.h>
#include <math.h>

namespace fireside {
namespace {

inline __m256i dot_u8s8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

#include "engine/cpu/kernels_x86_blocks.inc"

// Sixteen 256-bit registers: 2 x 2 tiles keep accumulators, codes and activations in registers.
constexpr int kQuantTileW = 2, kQuantTileA = 2;
constexpr int kFloatTileW = 2, kFloatTileA = 4;

} // namespace

void f16_to_f32_row_f16c(const uint16_t* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i,
                         _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
    for (; i < n; ++i) dst[i] = _cvtsh_ss(src[i]);
}

void f32_to_f16_row_f16c(const float* src, uint16_t* dst, int64_t n) {
    quantize_f16_f16c(src, dst, n);
}

namespace {

inline __m256 load8f(const float* p) {
    return _mm256_loadu_ps(p);
}
inline __m256 load8f(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline float load1f(const float* p) {
    return *p;
}
inline float load1f(const uint16_t* p) {
    return _cvtsh_ss(*p);
}

// a * b + c with one rounding, spelled out so the compiler cannot contract one element type's tail
// and not the other's.
inline float fma1(float a, float b, float c) {
    return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}

// Attention's products, Q queries at a time: each key or value element is loaded (and converted)
// once for all of them. Every sum runs over its terms in order with one FMA per term, as the plain
// loops do, so the bits do not depend on the instruction set or on how queries are grouped.
template <int Q, class T>
void key_scores_of(const float* q, int64_t q_stride, const T* keys, int64_t n_pos, int64_t n, float* scores) {
    static_assert(kKeyTile == 8, "one tile of keys per vector");
    for (int64_t p = 0; p < n_pos; p += 8) {
        const T* tile = keys + p * n;
        __m256 acc[Q];
        for (__m256& v : acc) v = _mm256_setzero_ps();
        for (int64_t i = 0; i < n; ++i) {
            const __m256 k = load8f(tile + i * 8);
            for (int j = 0; j < Q; ++j)
                acc[j] = _mm256_fmadd_ps(_mm256_broadcast_ss(q + j * q_stride + i), k, acc[j]);
        }
        if (p + 8 <= n_pos) {
            for (int j = 0; j < Q; ++j) _mm256_storeu_ps(scores + j * n_pos + p, acc[j]);
            continue;
        }
        for (int j = 0; j < Q; ++j) {
            float lanes[8];
            _mm256_storeu_ps(lanes, acc[j]);
            for (int64_t r = 0; r < n_pos - p; ++r) scores[j * n_pos + p + r] = lanes[r];
        }
    }
}

template <int Q, class T>
void weighted_values_of(const float* w, const T* values, int64_t n_pos, int64_t n, float* out,
                        int64_t out_stride) {
    // Positions in blocks that stay in the L1 cache while every eight-wide column of them is summed;
    // the sums wait in `out` between blocks, which leaves their order (and bits) unchanged.
    constexpr int64_t kBlock = 32;
    const int64_t n8 = n / 8 * 8;
    for (int64_t p0 = 0; p0 < n_pos; p0 += kBlock) {
        const int64_t p1 = p0 + kBlock < n_pos ? p0 + kBlock : n_pos;
        for (int64_t i = 0; i < n8; i += 8) {
            __m256 acc[Q];
            for (int j = 0; j < Q; ++j)
                acc[j] = p0 == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(out + j * out_stride + i);
            for (int64_t p = p0; p < p1; ++p) {
                const __m256 v = load8f(values + p * n + i);
                for (int j = 0; j < Q; ++j)
                    acc[j] = _mm256_fmadd_ps(_mm256_broadcast_ss(w + j * n_pos + p), v, acc[j]);
            }
            for (int j = 0; j < Q; ++j) _mm256_storeu_ps(out + j * out_stride + i, acc[j]);
        }
    }
    for (int64_t i = n8; i < n; ++i)
        for (int j = 0; j < Q; ++j) {
            float s = 0.0f;
            for (int64_t p = 0; p < n_pos; ++p) s = fma1(w[j * n_pos + p], load1f(values + p * n + i), s);
            out[j * out_stride + i] = s;
        }
}

// The query count as a template argument, so the accumulators stay in registers.
template <class T, int Q = 1>
void key_scores_for(int n_q, const float* q, int64_t q_stride, const T* keys, int64_t n_pos, int64_t n,
                    float* scores) {
    if constexpr (Q < kMaxAttentionQueries)
        if (n_q != Q) return key_scores_for<T, Q + 1>(n_q, q, q_stride, keys, n_pos, n, scores);
    key_scores_of<Q>(q, q_stride, keys, n_pos, n, scores);
}

template <class T, int Q = 1>
void weighted_values_for(int n_q, const float* w, const T* values, int64_t n_pos, int64_t n, float* out,
                         int64_t out_stride) {
    if constexpr (Q < kMaxAttentionQueries)
        if (n_q != Q) return weighted_values_for<T, Q + 1>(n_q, w, values, n_pos, n, out, out_stride);
    weighted_values_of<Q>(w, values, n_pos, n, out, out_stride);
}

// e^x: x = k ln 2 + r with |r| <= ln 2 / 2, e^r from its Taylor series to r^7 (relative error under
// 1e-8), times 2^k built in the exponent bits. x is clamped to [-87.33, 88.72]: below, the result stays
// at the smallest normal float instead of going to zero; above, 2^128 comes out as infinity.
inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.33f)), _mm256_set1_ps(88.72f));
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    // ln 2 in two parts, the first exact in few bits, so that k ln 2 is subtracted without rounding.
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693145751953125f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(1.42860677e-06f), r);
    constexpr float kTaylor[] = {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    for (const float c : kTaylor) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(c));
    const __m256i two_k =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(two_k));
}

inline float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
}

} // namespace

void swiglu_avx2(float* gate, const float* up, int64_t n) {
    int64_t i = 0;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), g));
        _mm256_storeu_ps(gate + i,
                         _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(one, e)), _mm256_loadu_ps(up + i)));
    }
    for (; i < n; ++i) gate[i] = gate[i] / (1.0f + expf(-gate[i])) * up[i];
}

void softmax_avx2(float* x, int64_t n, float scale) {
    const int64_t n8 = n / 8 * 8;
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    const __m256 vscale = _mm256_set1_ps(scale);
    for (int64_t i = 0; i < n8; i += 8) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + i), vscale);
        _mm256_storeu_ps(x + i, v);
        vmax = _mm256_max_ps(vmax, v);
    }
    float max = hmax(vmax);
    for (int64_t i = n8; i < n; ++i) {
        x[i] *= scale;
        if (x[i] > max) max = x[i];
    }
    __m256 vsum = _mm256_setzero_ps();
    const __m256 shift = _mm256_set1_ps(max);
    for (int64_t i = 0; i < n8; i += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), shift));
        _mm256_storeu_ps(x + i, e);
        vsum = _mm256_add_ps(vsum, e);
    }
    float sum = hsum(vsum);
    for (int64_t i = n8; i < n; ++i) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    const __m256 inv = _mm256_set1_ps(1.0f / sum);
    for (int64_t i = 0; i < n8; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
    for (int64_t i = n8; i < n; ++i) x[i] *= 1.0f / sum;
}

void key_scores_avx2(const float* q, int64_t q_stride, int n_q, const float* keys, int64_t n_pos, int64_t n,
                     float* scores) {
    key_scores_for<float>(n_q, q, q_stride, keys, n_pos, n, scores);
}

void key_scores_avx2(const float* q, int64_t q_stride, int n_q, const uint16_t* keys, int64_t n_pos,
                     int64_t n, float* scores) {
    key_scores_for<uint16_t>(n_q, q, q_stride, keys, n_pos, n, scores);
}

void weighted_values_avx2(const float* w, int n_q, const float* values, int64_t n_pos, int64_t n, float* out,
                          int64_t out_stride) {
    weighted_values_for<float>(n_q, w, values, n_pos, n, out, out_stride);
}

void weighted_values_avx2(const float* w, int n_q, const uint16_t* values, int64_t n_pos, int64_t n,
                          float* out, int64_t out_stride) {
    weighted_values_for<uint16_t>(n_q, w, values, n_pos, n, out, out_stride);
}

const DotKernel* avx2_dot_kernel(BlockType type) {
    constexpr int W = kQuantTileW, A = kQuantTileA, FW = kFloatTileW, FA = kFloatTileA;
    using Q40 = RowByRowForOneToken<Legacy32<DecQ4_0, BlockQ8_0>>;
    using Q41 = RowByRowForOneToken<Legacy32<DecQ4_1, BlockQ8_1>>;
    using Q50 = RowByRowForOneToken<Legacy32<DecQ5_0, BlockQ8_0>>;
    using Q51 = RowByRowForOneToken<Legacy32<DecQ5_1, BlockQ8_1>>;
    using Q80 = RowByRowForOneToken<Legacy32<DecQ8_0, BlockQ8_0>>;
    using F32 = RowByRowForOneToken<Float<float>>;
    using F16 = RowByRowForOneToken<Float<uint16_t>>;
    using Q2K = RowByRowForOneToken<KQuant<DecQ2_K>>;
    using Q3K = RowByRowForOneToken<KQuant<DecQ3_K>>;
    using Q4K = RowByRowForOneToken<KQuant<DecQ4_K>>;
    using Q5K = RowByRowForOneToken<KQuant<DecQ5_K>>;
    using Q6K = RowByRowForOneToken<KQuant<DecQ6_K>>;
    static const DotKernel kernels[] = {
        {BlockType::F32, KernelIsa::Avx2, &vec_dot<F32>, &dispatch<F32, FW, FA>, FW, FA, nullptr},
        {BlockType::F16, KernelIsa::Avx2, &vec_dot<F16>, &dispatch<F16, FW, FA>, FW, FA, &quantize_f16_f16c},
        {BlockType::Q4_0, KernelIsa::Avx2, &vec_dot<Q40>, &dispatch<Q40, W, A>, W, A, &quantize_q8_0_ymm},
        {BlockType::Q4_1, KernelIsa::Avx2, &vec_dot<Q41>, &dispatch<Q41, W, A>, W, A, &quantize_q8_1_ymm},
        {BlockType::Q5_0, KernelIsa::Avx2, &vec_dot<Q50>, &dispatch<Q50, W, A>, W, A, &quantize_q8_0_ymm},
        {BlockType::Q5_1, KernelIsa::Avx2, &vec_dot<Q51>, &dispatch<Q51, W, A>, W, A, &quantize_q8_1_ymm},
        {BlockType::Q8_0, KernelIsa::Avx2, &vec_dot<Q80>, &dispatch<Q80, W, A>, W, A, &quantize_q8_0_ymm},
        {BlockType::Q2_K, KernelIsa::Avx2, &vec_dot<Q2K>, &dispatch<Q2K, W, A>, W, A, nullptr},
        {BlockType::Q3_K, KernelIsa::Avx2, &vec_dot<Q3K>, &dispatch<Q3K, W, A>, W, A, nullptr},
        {BlockType::Q4_K, KernelIsa::Avx2, &vec_dot<Q4K>, &dispatch<Q4K, W, A>, W, A, nullptr},
        {BlockType::Q5_K, KernelIsa::Avx2, &vec_dot<Q5K>, &dispatch<Q5K, W, A>, W, A, nullptr},
        {BlockType::Q6_K, KernelIsa::Avx2, &vec_dot<Q6K>, &dispatch<Q6K, W, A>, W, A, nullptr},
    };
    return find_dot_kernel(kernels, type);
}

} // namespace fireside

#else

namespace fireside {

void f16_to_f32_row_f16c(const uint16_t*, float*, int64_t) {}
void f32_to_f16_row_f16c(const float*, uint16_t*, int64_t) {}
void key_scores_avx2(const float*, int64_t, int, const float*, int64_t, int64_t, float*) {}
void key_scores_avx2(const float*, int64_t, int, const uint16_t*, int64_t, int64_t, float*) {}
void weighted_values_avx2(const float*, int, const float*, int64_t, int64_t, float*, int64_t) {}
void weighted_values_avx2(const float*, int, const uint16_t*, int64_t, int64_t, float*, int64_t) {}
void swiglu_avx2(float*, const float*, int64_t) {}
void softmax_avx2(float*, int64_t, float) {}
const DotKernel* avx2_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside

#endif

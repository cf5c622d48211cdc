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

// One summation order for both element types, so f16 rows give what converting them first gives.
template <class T>
float dot_avx2(const float* a, const T* b, int64_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load8f(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), load8f(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load8f(b + i), s0);
    float s = hsum(_mm256_add_ps(s0, s1));
    for (; i < n; ++i) s += a[i] * load1f(b + i);
    return s;
}

template <class T>
void axpy_avx2(float a, const T* x, float* y, int64_t n) {
    const __m256 av = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, load8f(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * load1f(x + i);
}

} // namespace

float dot_f32_avx2(const float* a, const float* b, int64_t n) {
    return dot_avx2(a, b, n);
}

void axpy_f32_avx2(float a, const float* x, float* y, int64_t n) {
    axpy_avx2(a, x, y, n);
}

float dot_f16_avx2(const float* a, const uint16_t* b, int64_t n) {
    return dot_avx2(a, b, n);
}

void axpy_f16_avx2(float a, const uint16_t* x, float* y, int64_t n) {
    axpy_avx2(a, x, y, n);
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
float dot_f32_avx2(const float*, const float*, int64_t) {
    return 0.0f;
}
void axpy_f32_avx2(float, const float*, float*, int64_t) {}
float dot_f16_avx2(const float*, const uint16_t*, int64_t) {
    return 0.0f;
}
void axpy_f16_avx2(float, const uint16_t*, float*, int64_t) {}
const DotKernel* avx2_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside

#endif

// AVX2 + FMA + F16C kernels. This file is compiled with those instruction sets enabled, so it must not
// define or instantiate inline functions that other files share (no standard library templates); its
// functions are only called after cpu_features() confirmed the instructions exist.
#include "engine/cpu/dot_kernels.h"
#include "engine/cpu/f16_convert.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#include <immintrin.h>

namespace fireside {

void f16_to_f32_row_f16c(const uint16_t* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i,
                         _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
    for (; i < n; ++i) dst[i] = _cvtsh_ss(src[i]);
}

void f32_to_f16_row_f16c(const float* src, uint16_t* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i)
        dst[i] = static_cast<uint16_t>(
            _mm_extract_epi16(_mm_cvtps_ph(_mm_set_ss(src[i]), _MM_FROUND_TO_NEAREST_INT), 0));
}

const DotKernel* avx2_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside

#else

namespace fireside {

void f16_to_f32_row_f16c(const uint16_t*, float*, int64_t) {}
void f32_to_f16_row_f16c(const float*, uint16_t*, int64_t) {}
const DotKernel* avx2_dot_kernel(BlockType) {
    return nullptr;
}

} // namespace fireside

#endif

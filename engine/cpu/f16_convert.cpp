#include "engine/cpu/f16_convert.h"

#include "engine/cpu/cpu_features.h"
#include "engine/quant/fp16.h"

namespace fireside {

void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n) {
#if defined(__x86_64__)
    if (avx2_kernels_enabled()) return f16_to_f32_row_f16c(src, dst, n);
#endif
    for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(src[i]);
}

void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n) {
#if defined(__x86_64__)
    if (avx2_kernels_enabled()) return f32_to_f16_row_f16c(src, dst, n);
#endif
    for (int64_t i = 0; i < n; ++i) dst[i] = f32_to_f16(src[i]);
}

} // namespace fireside

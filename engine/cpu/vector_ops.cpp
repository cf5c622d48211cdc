#include "engine/cpu/vector_ops.h"

#include "engine/cpu/cpu_features.h"
#include "engine/quant/fp16.h"

namespace fireside {

float dot_f32(const float* a, const float* b, int64_t n) {
    if (avx2_kernels_enabled()) return dot_f32_avx2(a, b, n);
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
}

void axpy_f32(float a, const float* x, float* y, int64_t n) {
    if (avx2_kernels_enabled()) return axpy_f32_avx2(a, x, y, n);
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

float dot_f16(const float* a, const uint16_t* b, int64_t n) {
    if (avx2_kernels_enabled()) return dot_f16_avx2(a, b, n);
    float s = 0.0f;
    for (int64_t i = 0; i < n; ++i) s += a[i] * f16_to_f32(b[i]);
    return s;
}

void axpy_f16(float a, const uint16_t* x, float* y, int64_t n) {
    if (avx2_kernels_enabled()) return axpy_f16_avx2(a, x, y, n);
    for (int64_t i = 0; i < n; ++i) y[i] += a * f16_to_f32(x[i]);
}

} // namespace fireside

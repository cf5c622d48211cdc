#include "engine/quant/fp16.h"
#include "engine/quant/reference_kernels.h"

// Reference dot products of the float formats: f32 with f32, f16 with f16 (products of two halves are
// exact in float), both summed in double.
namespace fireside::reference {

float vec_dot_f32(int64_t n, const void* x, const void* y) {
    const auto* a = static_cast<const float*>(x);
    const auto* b = static_cast<const float*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
    return static_cast<float>(sum);
}

float vec_dot_f16(int64_t n, const void* x, const void* y) {
    const auto* a = static_cast<const uint16_t*>(x);
    const auto* b = static_cast<const uint16_t*>(y);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(f16_to_f32(a[i]) * f16_to_f32(b[i]));
    return static_cast<float>(sum);
}

} // namespace fireside::reference

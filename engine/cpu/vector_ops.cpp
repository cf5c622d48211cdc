#include "engine/cpu/vector_ops.h"

#include "engine/cpu/cpu_features.h"
#include "engine/quant/fp16.h"

#include <algorithm>
#include <cmath>

namespace fireside {
namespace {

inline float value(const float* p) {
    return *p;
}
inline float value(const uint16_t* p) {
    return f16_to_f32(*p);
}

template <class T>
void dot_rows_scalar(const float* a, const T* rows, int64_t stride, int64_t n_rows, int64_t n,
                     float* scores) {
    for (int64_t p = 0; p < n_rows; ++p) {
        float s = 0.0f;
        for (int64_t i = 0; i < n; ++i) s += a[i] * value(rows + p * stride + i);
        scores[p] = s;
    }
}

template <class T>
void weighted_rows_scalar(const float* w, const T* rows, int64_t stride, int64_t n_rows, int64_t n,
                          float* out) {
    for (int64_t i = 0; i < n; ++i) {
        float s = 0.0f;
        for (int64_t p = 0; p < n_rows; ++p) s += w[p] * value(rows + p * stride + i);
        out[i] = s;
    }
}

// The AVX2 version where the CPU has it, else the plain loop.
template <class T>
void dot_rows_on_this_cpu(const float* a, const T* rows, int64_t stride, int64_t n_rows, int64_t n,
                          float* scores) {
    if (avx2_kernels_enabled()) return dot_rows_avx2(a, rows, stride, n_rows, n, scores);
    dot_rows_scalar(a, rows, stride, n_rows, n, scores);
}

template <class T>
void weighted_rows_on_this_cpu(const float* w, const T* rows, int64_t stride, int64_t n_rows, int64_t n,
                               float* out) {
    if (avx2_kernels_enabled()) return weighted_rows_avx2(w, rows, stride, n_rows, n, out);
    weighted_rows_scalar(w, rows, stride, n_rows, n, out);
}

} // namespace

void dot_rows(const float* a, const float* rows, int64_t stride, int64_t n_rows, int64_t n, float* scores) {
    dot_rows_on_this_cpu(a, rows, stride, n_rows, n, scores);
}

void dot_rows(const float* a, const uint16_t* rows, int64_t stride, int64_t n_rows, int64_t n,
              float* scores) {
    dot_rows_on_this_cpu(a, rows, stride, n_rows, n, scores);
}

void weighted_rows(const float* w, const float* rows, int64_t stride, int64_t n_rows, int64_t n, float* out) {
    weighted_rows_on_this_cpu(w, rows, stride, n_rows, n, out);
}

void weighted_rows(const float* w, const uint16_t* rows, int64_t stride, int64_t n_rows, int64_t n,
                   float* out) {
    weighted_rows_on_this_cpu(w, rows, stride, n_rows, n, out);
}

void swiglu(float* gate, const float* up, int64_t n) {
    if (avx2_kernels_enabled()) return swiglu_avx2(gate, up, n);
    for (int64_t i = 0; i < n; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void softmax(float* x, int64_t n, float scale) {
    if (avx2_kernels_enabled()) return softmax_avx2(x, n, scale);
    float max = -INFINITY;
    for (int64_t i = 0; i < n; ++i) {
        x[i] *= scale;
        max = std::max(max, x[i]);
    }
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max);
        sum += x[i];
    }
    const auto inv = static_cast<float>(1.0 / sum);
    for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

} // namespace fireside

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
void key_scores_plain(const float* q, int64_t q_stride, int n_q, const T* keys, int64_t n_pos, int64_t n,
                      float* scores) {
    for (int j = 0; j < n_q; ++j)
        for (int64_t p = 0; p < n_pos; ++p) {
            const T* tile = keys + p / kKeyTile * n * kKeyTile + p % kKeyTile;
            float s = 0.0f;
            for (int64_t i = 0; i < n; ++i) s = std::fma(q[j * q_stride + i], value(tile + i * kKeyTile), s);
            scores[j * n_pos + p] = s;
        }
}

template <class T>
void weighted_values_plain(const float* w, int n_q, const T* values, int64_t n_pos, int64_t n, float* out,
                           int64_t out_stride) {
    for (int j = 0; j < n_q; ++j)
        for (int64_t i = 0; i < n; ++i) {
            float s = 0.0f;
            for (int64_t p = 0; p < n_pos; ++p) s = std::fma(w[j * n_pos + p], value(values + p * n + i), s);
            out[j * out_stride + i] = s;
        }
}

} // namespace

void key_scores(const float* q, int64_t q_stride, int n_q, const float* keys, int64_t n_pos, int64_t n,
                float* scores) {
    if (avx2_kernels_enabled()) return key_scores_avx2(q, q_stride, n_q, keys, n_pos, n, scores);
    key_scores_plain(q, q_stride, n_q, keys, n_pos, n, scores);
}

void key_scores(const float* q, int64_t q_stride, int n_q, const uint16_t* keys, int64_t n_pos, int64_t n,
                float* scores) {
    if (avx2_kernels_enabled()) return key_scores_avx2(q, q_stride, n_q, keys, n_pos, n, scores);
    key_scores_plain(q, q_stride, n_q, keys, n_pos, n, scores);
}

void weighted_values(const float* w, int n_q, const float* values, int64_t n_pos, int64_t n, float* out,
                     int64_t out_stride) {
    if (avx2_kernels_enabled()) return weighted_values_avx2(w, n_q, values, n_pos, n, out, out_stride);
    weighted_values_plain(w, n_q, values, n_pos, n, out, out_stride);
}

void weighted_values(const float* w, int n_q, const uint16_t* values, int64_t n_pos, int64_t n, float* out,
                     int64_t out_stride) {
    if (avx2_kernels_enabled()) return weighted_values_avx2(w, n_q, values, n_pos, n, out, out_stride);
    weighted_values_plain(w, n_q, values, n_pos, n, out, out_stride);
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

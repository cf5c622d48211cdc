#include "engine/quant/block_codes.h"
#include "engine/quant/fp16.h"
#include "engine/quant/reference_kernels.h"

// The 32-value formats. Each value is computed as code * d (+ m), the same float operations in the same
// order as ggml, so the results are bit-identical to its dequantizer.

// Bit-exactness needs each multiply and add rounded separately: no fused multiply-add. (GCC contracts
// only in GNU dialects; the project builds with -std=c++20.)
#ifdef __clang__
#pragma clang fp contract(off)
#endif

namespace fireside::reference {

void dequantize_row_q4_0(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ4_0*>(src);
    uint8_t q[QK4_0];
    for (int64_t b = 0; b < n / QK4_0; ++b) {
        const float d = f16_to_f32(blocks[b].d);
        codes::unpack_nibbles32(blocks[b].qs, q);
        for (int j = 0; j < QK4_0; ++j) dst[b * QK4_0 + j] = static_cast<float>(q[j] - 8) * d;
    }
}

void dequantize_row_q4_1(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ4_1*>(src);
    uint8_t q[QK4_1];
    for (int64_t b = 0; b < n / QK4_1; ++b) {
        const float d = f16_to_f32(blocks[b].d);
        const float m = f16_to_f32(blocks[b].m);
        codes::unpack_nibbles32(blocks[b].qs, q);
        for (int j = 0; j < QK4_1; ++j) dst[b * QK4_1 + j] = static_cast<float>(q[j]) * d + m;
    }
}

void dequantize_row_q5_0(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ5_0*>(src);
    uint8_t q[QK5_0];
    for (int64_t b = 0; b < n / QK5_0; ++b) {
        const float d = f16_to_f32(blocks[b].d);
        codes::unpack_nibbles32(blocks[b].qs, q);
        codes::unpack_fifth_bits32(blocks[b].qh, q);
        for (int j = 0; j < QK5_0; ++j) dst[b * QK5_0 + j] = static_cast<float>(q[j] - 16) * d;
    }
}

void dequantize_row_q5_1(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ5_1*>(src);
    uint8_t q[QK5_1];
    for (int64_t b = 0; b < n / QK5_1; ++b) {
        const float d = f16_to_f32(blocks[b].d);
        const float m = f16_to_f32(blocks[b].m);
        codes::unpack_nibbles32(blocks[b].qs, q);
        codes::unpack_fifth_bits32(blocks[b].qh, q);
        for (int j = 0; j < QK5_1; ++j) dst[b * QK5_1 + j] = static_cast<float>(q[j]) * d + m;
    }
}

void dequantize_row_q8_0(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ8_0*>(src);
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const float d = f16_to_f32(blocks[b].d);
        for (int j = 0; j < QK8_0; ++j) dst[b * QK8_0 + j] = static_cast<float>(blocks[b].qs[j]) * d;
    }
}

void dequantize_row_q8_1(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ8_1*>(src);
    for (int64_t b = 0; b < n / QK8_1; ++b)
        for (int j = 0; j < QK8_1; ++j)
            dst[b * QK8_1 + j] = static_cast<float>(blocks[b].qs[j]) * blocks[b].d;
}

} // namespace fireside::reference

#include "engine/quant/block_codes.h"
#include "engine/quant/fp16.h"
#include "engine/quant/reference_kernels.h"

// The k-quants (256-value super-blocks). Per value: (d * sub-block scale) * code - (dmin * sub-block min),
// grouped exactly like ggml's dequantizers so the results are bit-identical.

// Bit-exactness needs each multiply and add rounded separately: no fused multiply-add. (GCC contracts
// only in GNU dialects; the project builds with -std=c++20.)
#ifdef __clang__
#pragma clang fp contract(off)
#endif

namespace fireside::reference {

void dequantize_row_q2_K(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ2_K*>(src);
    uint8_t q[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ2_K& blk = blocks[b];
        const float d = f16_to_f32(blk.d);
        const float dmin = f16_to_f32(blk.dmin);
        codes::unpack_2bit_k(blk.qs, q);
        float* y = dst + b * QK_K;
        for (int s = 0; s < QK_K / 16; ++s) {
            const float dl = d * static_cast<float>(blk.scales[s] & 0x0f);
            const float ml = dmin * static_cast<float>(blk.scales[s] >> 4);
            for (int l = 0; l < 16; ++l) y[16 * s + l] = dl * static_cast<float>(q[16 * s + l]) - ml;
        }
    }
}

void dequantize_row_q3_K(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ3_K*>(src);
    uint8_t q[QK_K];
    uint8_t scales[QK_K / 16];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ3_K& blk = blocks[b];
        const float d = f16_to_f32(blk.d);
        codes::unpack_q3_K(blk, q);
        codes::unpack_scales_q3_K(blk.scales, scales);
        float* y = dst + b * QK_K;
        for (int s = 0; s < QK_K / 16; ++s) {
            const float dl = d * static_cast<float>(scales[s] - 32);
            for (int l = 0; l < 16; ++l) y[16 * s + l] = dl * static_cast<float>(q[16 * s + l] - 4);
        }
    }
}

namespace {

// q4_K and q5_K: eight 32-value sub-blocks, each value = d * scale * code - dmin * min.
void apply_scales_mins(const uint8_t* q, const uint8_t* scales, const uint8_t* mins, float d, float dmin,
                       float* y) {
    for (int s = 0; s < 8; ++s) {
        const float dl = d * static_cast<float>(scales[s]);
        const float ml = dmin * static_cast<float>(mins[s]);
        for (int l = 0; l < 32; ++l) y[32 * s + l] = dl * static_cast<float>(q[32 * s + l]) - ml;
    }
}

} // namespace

void dequantize_row_q4_K(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ4_K*>(src);
    uint8_t q[QK_K];
    uint8_t scales[8];
    uint8_t mins[8];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ4_K& blk = blocks[b];
        const float d = f16_to_f32(blk.d);
        const float dmin = f16_to_f32(blk.dmin);
        codes::unpack_nibbles_k(blk.qs, q);
        codes::unpack_scales_mins_k4(blk.scales, scales, mins);
        apply_scales_mins(q, scales, mins, d, dmin, dst + b * QK_K);
    }
}

void dequantize_row_q5_K(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ5_K*>(src);
    uint8_t q[QK_K];
    uint8_t scales[8];
    uint8_t mins[8];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ5_K& blk = blocks[b];
        const float d = f16_to_f32(blk.d);
        const float dmin = f16_to_f32(blk.dmin);
        codes::unpack_q5_K(blk, q);
        codes::unpack_scales_mins_k4(blk.scales, scales, mins);
        apply_scales_mins(q, scales, mins, d, dmin, dst + b * QK_K);
    }
}

void dequantize_row_q6_K(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ6_K*>(src);
    uint8_t q[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        const BlockQ6_K& blk = blocks[b];
        const float d = f16_to_f32(blk.d);
        codes::unpack_q6_K(blk, q);
        float* y = dst + b * QK_K;
        for (int s = 0; s < QK_K / 16; ++s)
            for (int l = 0; l < 16; ++l)
                y[16 * s + l] =
                    d * static_cast<float>(blk.scales[s]) * static_cast<float>(q[16 * s + l] - 32);
    }
}

void dequantize_row_q8_K(const void* src, float* dst, int64_t n) {
    const auto* blocks = static_cast<const BlockQ8_K*>(src);
    for (int64_t b = 0; b < n / QK_K; ++b)
        for (int j = 0; j < QK_K; ++j) dst[b * QK_K + j] = blocks[b].d * static_cast<float>(blocks[b].qs[j]);
}

} // namespace fireside::reference

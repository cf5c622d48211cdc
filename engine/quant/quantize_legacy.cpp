#include "engine/quant/block_codes.h"
#include "engine/quant/reference_kernels.h"
#include "engine/quant/scale_search.h"
#include "engine/quant/stored_scale.h"

#include <cmath>

// Quantizers of the 32-value formats. The weight formats (q4_0..q5_1) search for the least-squares
// scale (and offset) instead of taking the plain max-abs scale, then assign codes with the scale exactly
// as stored. q8_0 and q8_1 are the activation formats of dot products: they keep ggml's plain max-abs
// rule (fast, and it makes our activations identical to the reference engine's), with codes in
// -127..127 so SIMD kernels may take absolute values in int8.
namespace fireside::reference {

using scale_search::assign_affine;
using scale_search::assign_symmetric;

namespace {

// Signed codes in [qmin, qmax] for one block; returns the stored scale.
StoredScale quantize_symmetric_block(const float* x, int qmin, int qmax, uint8_t* biased_codes) {
    int q[32];
    float scale = 0;
    scale_search::fit_symmetric(x, 32, qmin, qmax, q, &scale);
    const StoredScale d = store_scale_f16(scale);
    assign_symmetric(x, 32, d.value, qmin, qmax, q);
    for (int j = 0; j < 32; ++j) biased_codes[j] = static_cast<uint8_t>(q[j] - qmin);
    return d;
}

// Codes in [0, qmax] for x ~ d * q + m; returns the stored d and m.
void quantize_affine_block(const float* x, int qmax, uint8_t* codes, StoredScale* d, StoredScale* m) {
    int q[32];
    float scale = 0, offset = 0;
    scale_search::fit_affine(x, 32, qmax, q, &scale, &offset);
    *d = store_scale_f16(scale);
    *m = store_scale_f16(offset);
    assign_affine(x, 32, d->value, -m->value, qmax, q);
    for (int j = 0; j < 32; ++j) codes[j] = static_cast<uint8_t>(q[j]);
}

} // namespace

void quantize_row_q4_0(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ4_0*>(dst);
    uint8_t codes[32];
    for (int64_t b = 0; b < n / QK4_0; ++b) {
        blocks[b].d = quantize_symmetric_block(src + b * QK4_0, -8, 7, codes).bits;
        codes::pack_nibbles32(codes, blocks[b].qs);
    }
}

void quantize_row_q4_1(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ4_1*>(dst);
    uint8_t codes[32];
    for (int64_t b = 0; b < n / QK4_1; ++b) {
        StoredScale d, m;
        quantize_affine_block(src + b * QK4_1, 15, codes, &d, &m);
        blocks[b].d = d.bits;
        blocks[b].m = m.bits;
        codes::pack_nibbles32(codes, blocks[b].qs);
    }
}

void quantize_row_q5_0(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ5_0*>(dst);
    uint8_t codes[32];
    for (int64_t b = 0; b < n / QK5_0; ++b) {
        blocks[b].d = quantize_symmetric_block(src + b * QK5_0, -16, 15, codes).bits;
        codes::pack_nibbles32(codes, blocks[b].qs);
        codes::pack_fifth_bits32(codes, blocks[b].qh);
    }
}

void quantize_row_q5_1(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ5_1*>(dst);
    uint8_t codes[32];
    for (int64_t b = 0; b < n / QK5_1; ++b) {
        StoredScale d, m;
        quantize_affine_block(src + b * QK5_1, 31, codes, &d, &m);
        blocks[b].d = d.bits;
        blocks[b].m = m.bits;
        codes::pack_nibbles32(codes, blocks[b].qs);
        codes::pack_fifth_bits32(codes, blocks[b].qh);
    }
}

namespace {

// Largest magnitude (nan ignored), capped so that inf input still gives a finite scale and block sum.
float max_abs(const float* x, int n) {
    float amax = 0;
    for (int j = 0; j < n; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    return std::fmin(amax, 1e30f);
}

// round-half-away-from-zero of x * inverse, as ggml's activation quantizers do; clamped for safety.
int8_t code_q8(float x, float inverse) {
    const float r = std::round(x * inverse);
    if (!(r >= -127.0f)) return -127;
    if (r > 127.0f) return 127;
    return static_cast<int8_t>(r);
}

} // namespace

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ8_0*>(dst);
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        const float* x = src + b * QK8_0;
        const float d = max_abs(x, QK8_0) / 127.0f;
        const float inverse = d > 0.0f ? 1.0f / d : 0.0f;
        blocks[b].d = store_scale_f16(d).bits;
        for (int j = 0; j < QK8_0; ++j) blocks[b].qs[j] = code_q8(x[j], inverse);
    }
}

void quantize_row_q8_1(const float* src, void* dst, int64_t n) {
    auto* blocks = static_cast<BlockQ8_1*>(dst);
    for (int64_t b = 0; b < n / QK8_1; ++b) {
        const float* x = src + b * QK8_1;
        const float d = max_abs(x, QK8_1) / 127.0f;
        const float inverse = d > 0.0f ? 1.0f / d : 0.0f;
        int sum = 0;
        for (int j = 0; j < QK8_1; ++j) {
            blocks[b].qs[j] = code_q8(x[j], inverse);
            sum += blocks[b].qs[j];
        }
        blocks[b].d = d;
        blocks[b].s = static_cast<float>(sum) * d;
    }
}

} // namespace fireside::reference

#include "engine/quant/block_codes.h"
#include "engine/quant/fp16.h"
#include "engine/quant/reference_kernels.h"

// Reference dot products of the k-quants with q8_K: an exact integer sum per sub-block, times the
// sub-block scale; the min terms use q8_K's 16-value sums (bsums), as the SIMD kernels do. All in double.
namespace fireside::reference {
namespace {

// sum over the values of one group of (code - bias) * y.
int dot_group(const uint8_t* q, int bias, const int8_t* y, int n) {
    int sum = 0;
    for (int l = 0; l < n; ++l) sum += (q[l] - bias) * y[l];
    return sum;
}

} // namespace

float vec_dot_q2_K(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ2_K*>(x);
    const auto* yb = static_cast<const BlockQ8_K*>(y);
    double sum = 0;
    uint8_t q[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        codes::unpack_2bit_k(xb[b].qs, q);
        long scaled = 0, mins = 0;
        for (int g = 0; g < 16; ++g) {
            scaled +=
                static_cast<long>(xb[b].scales[g] & 0x0f) * dot_group(q + 16 * g, 0, yb[b].qs + 16 * g, 16);
            mins += static_cast<long>(xb[b].scales[g] >> 4) * yb[b].bsums[g];
        }
        sum += static_cast<double>(yb[b].d) * (static_cast<double>(f16_to_f32(xb[b].d)) * scaled -
                                               static_cast<double>(f16_to_f32(xb[b].dmin)) * mins);
    }
    return static_cast<float>(sum);
}

float vec_dot_q3_K(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ3_K*>(x);
    const auto* yb = static_cast<const BlockQ8_K*>(y);
    double sum = 0;
    uint8_t q[QK_K];
    uint8_t scales[16];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        codes::unpack_q3_K(xb[b], q);
        codes::unpack_scales_q3_K(xb[b].scales, scales);
        long scaled = 0;
        for (int g = 0; g < 16; ++g)
            scaled += static_cast<long>(scales[g] - 32) * dot_group(q + 16 * g, 4, yb[b].qs + 16 * g, 16);
        sum += static_cast<double>(yb[b].d) * f16_to_f32(xb[b].d) * scaled;
    }
    return static_cast<float>(sum);
}

namespace {

// q4_K and q5_K share everything but the codes.
double dot_k4_block(const uint8_t* q, uint16_t d, uint16_t dmin, const uint8_t* packed_scales,
                    const BlockQ8_K& yb) {
    uint8_t scales[8], mins[8];
    codes::unpack_scales_mins_k4(packed_scales, scales, mins);
    long scaled = 0, min_sum = 0;
    for (int g = 0; g < 8; ++g) {
        scaled += static_cast<long>(scales[g]) * dot_group(q + 32 * g, 0, yb.qs + 32 * g, 32);
        min_sum += static_cast<long>(mins[g]) * (yb.bsums[2 * g] + yb.bsums[2 * g + 1]);
    }
    return static_cast<double>(yb.d) *
           (static_cast<double>(f16_to_f32(d)) * scaled - static_cast<double>(f16_to_f32(dmin)) * min_sum);
}

} // namespace

float vec_dot_q4_K(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ4_K*>(x);
    const auto* yb = static_cast<const BlockQ8_K*>(y);
    double sum = 0;
    uint8_t q[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        codes::unpack_nibbles_k(xb[b].qs, q);
        sum += dot_k4_block(q, xb[b].d, xb[b].dmin, xb[b].scales, yb[b]);
    }
    return static_cast<float>(sum);
}

float vec_dot_q5_K(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ5_K*>(x);
    const auto* yb = static_cast<const BlockQ8_K*>(y);
    double sum = 0;
    uint8_t q[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        codes::unpack_q5_K(xb[b], q);
        sum += dot_k4_block(q, xb[b].d, xb[b].dmin, xb[b].scales, yb[b]);
    }
    return static_cast<float>(sum);
}

float vec_dot_q6_K(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ6_K*>(x);
    const auto* yb = static_cast<const BlockQ8_K*>(y);
    double sum = 0;
    uint8_t q[QK_K];
    for (int64_t b = 0; b < n / QK_K; ++b) {
        codes::unpack_q6_K(xb[b], q);
        long scaled = 0;
        for (int g = 0; g < 16; ++g)
            scaled += static_cast<long>(xb[b].scales[g]) * dot_group(q + 16 * g, 32, yb[b].qs + 16 * g, 16);
        sum += static_cast<double>(yb[b].d) * f16_to_f32(xb[b].d) * scaled;
    }
    return static_cast<float>(sum);
}

float vec_dot_q8_K(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ8_K*>(x);
    const auto* yb = static_cast<const BlockQ8_K*>(y);
    double sum = 0;
    for (int64_t b = 0; b < n / QK_K; ++b) {
        long isum = 0;
        for (int j = 0; j < QK_K; ++j) isum += xb[b].qs[j] * yb[b].qs[j];
        sum += static_cast<double>(xb[b].d) * yb[b].d * isum;
    }
    return static_cast<float>(sum);
}

} // namespace fireside::reference

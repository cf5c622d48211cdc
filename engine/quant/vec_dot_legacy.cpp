#include "engine/quant/block_codes.h"
#include "engine/quant/fp16.h"
#include "engine/quant/reference_kernels.h"

// Reference dot products of the 32-value formats: an exact integer sum per block, scaled by the two
// block scales and summed in double. q4_0/q5_0/q8_0 pair with q8_0; q4_1/q5_1 pair with q8_1, whose
// block sum s = d * sum(qs) carries the min term: sum((dx*qx + m)(dy*qy)) = dx*dy*sum(qx*qy) + m*s.
namespace fireside::reference {
namespace {

int dot_codes(const uint8_t* xq, int bias, const int8_t* yq) {
    int sum = 0;
    for (int j = 0; j < 32; ++j) sum += (xq[j] - bias) * yq[j];
    return sum;
}

} // namespace

float vec_dot_q4_0(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ4_0*>(x);
    const auto* yb = static_cast<const BlockQ8_0*>(y);
    double sum = 0;
    uint8_t q[32];
    for (int64_t b = 0; b < n / QK4_0; ++b) {
        codes::unpack_nibbles32(xb[b].qs, q);
        const double scale = static_cast<double>(f16_to_f32(xb[b].d)) * f16_to_f32(yb[b].d);
        sum += scale * dot_codes(q, 8, yb[b].qs);
    }
    return static_cast<float>(sum);
}

float vec_dot_q4_1(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ4_1*>(x);
    const auto* yb = static_cast<const BlockQ8_1*>(y);
    double sum = 0;
    uint8_t q[32];
    for (int64_t b = 0; b < n / QK4_1; ++b) {
        codes::unpack_nibbles32(xb[b].qs, q);
        const double scale = static_cast<double>(f16_to_f32(xb[b].d)) * yb[b].d;
        sum += scale * dot_codes(q, 0, yb[b].qs) + static_cast<double>(f16_to_f32(xb[b].m)) * yb[b].s;
    }
    return static_cast<float>(sum);
}

float vec_dot_q5_0(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ5_0*>(x);
    const auto* yb = static_cast<const BlockQ8_0*>(y);
    double sum = 0;
    uint8_t q[32];
    for (int64_t b = 0; b < n / QK5_0; ++b) {
        codes::unpack_nibbles32(xb[b].qs, q);
        codes::unpack_fifth_bits32(xb[b].qh, q);
        const double scale = static_cast<double>(f16_to_f32(xb[b].d)) * f16_to_f32(yb[b].d);
        sum += scale * dot_codes(q, 16, yb[b].qs);
    }
    return static_cast<float>(sum);
}

float vec_dot_q5_1(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ5_1*>(x);
    const auto* yb = static_cast<const BlockQ8_1*>(y);
    double sum = 0;
    uint8_t q[32];
    for (int64_t b = 0; b < n / QK5_1; ++b) {
        codes::unpack_nibbles32(xb[b].qs, q);
        codes::unpack_fifth_bits32(xb[b].qh, q);
        const double scale = static_cast<double>(f16_to_f32(xb[b].d)) * yb[b].d;
        sum += scale * dot_codes(q, 0, yb[b].qs) + static_cast<double>(f16_to_f32(xb[b].m)) * yb[b].s;
    }
    return static_cast<float>(sum);
}

float vec_dot_q8_0(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ8_0*>(x);
    const auto* yb = static_cast<const BlockQ8_0*>(y);
    double sum = 0;
    for (int64_t b = 0; b < n / QK8_0; ++b) {
        int isum = 0;
        for (int j = 0; j < QK8_0; ++j) isum += xb[b].qs[j] * yb[b].qs[j];
        sum += static_cast<double>(f16_to_f32(xb[b].d)) * f16_to_f32(yb[b].d) * isum;
    }
    return static_cast<float>(sum);
}

float vec_dot_q8_1(int64_t n, const void* x, const void* y) {
    const auto* xb = static_cast<const BlockQ8_1*>(x);
    const auto* yb = static_cast<const BlockQ8_1*>(y);
    double sum = 0;
    for (int64_t b = 0; b < n / QK8_1; ++b) {
        int isum = 0;
        for (int j = 0; j < QK8_1; ++j) isum += xb[b].qs[j] * yb[b].qs[j];
        sum += static_cast<double>(xb[b].d) * yb[b].d * isum;
    }
    return static_cast<float>(sum);
}

} // namespace fireside::reference

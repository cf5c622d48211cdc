#pragma once

#include <cstdint>

// The scalar reference kernels behind the block-format table (block_type.h). They are the ground truth
// that SIMD and GPU kernels are tested against: plain loops, no tricks. n is a whole number of blocks.
namespace fireside::reference {

#define FIRESIDE_REFERENCE_KERNELS(type)                                                                     \
    void dequantize_row_##type(const void* src, float* dst, int64_t n);                                      \
    void quantize_row_##type(const float* src, void* dst, int64_t n);                                        \
    float vec_dot_##type(int64_t n, const void* x, const void* y);

FIRESIDE_REFERENCE_KERNELS(f32)
FIRESIDE_REFERENCE_KERNELS(f16)
FIRESIDE_REFERENCE_KERNELS(q4_0)
FIRESIDE_REFERENCE_KERNELS(q4_1)
FIRESIDE_REFERENCE_KERNELS(q5_0)
FIRESIDE_REFERENCE_KERNELS(q5_1)
FIRESIDE_REFERENCE_KERNELS(q8_0)
FIRESIDE_REFERENCE_KERNELS(q8_1)
FIRESIDE_REFERENCE_KERNELS(q2_K)
FIRESIDE_REFERENCE_KERNELS(q3_K)
FIRESIDE_REFERENCE_KERNELS(q4_K)
FIRESIDE_REFERENCE_KERNELS(q5_K)
FIRESIDE_REFERENCE_KERNELS(q6_K)
FIRESIDE_REFERENCE_KERNELS(q8_K)

#undef FIRESIDE_REFERENCE_KERNELS

} // namespace fireside::reference

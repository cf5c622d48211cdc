#pragma once

#include <cstdint>

namespace fireside {

// Float vector primitives for attention (scores q·k and the weighted sum of values), with AVX2 + FMA
// where the CPU has it. Sums are formed in a different order from a plain loop, so results may differ
// in the last bits.
float dot_f32(const float* a, const float* b, int64_t n);
// y += a * x.
void axpy_f32(float a, const float* x, float* y, int64_t n);
// The same with b / x in f16, converted on the fly (the results equal converting first).
float dot_f16(const float* a, const uint16_t* b, int64_t n);
void axpy_f16(float a, const uint16_t* x, float* y, int64_t n);

// The AVX2 versions, defined in the AVX2 kernel file (only called when the CPU has AVX2 + FMA).
float dot_f32_avx2(const float* a, const float* b, int64_t n);
void axpy_f32_avx2(float a, const float* x, float* y, int64_t n);
float dot_f16_avx2(const float* a, const uint16_t* b, int64_t n);
void axpy_f16_avx2(float a, const uint16_t* x, float* y, int64_t n);

} // namespace fireside

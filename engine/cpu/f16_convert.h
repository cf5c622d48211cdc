#pragma once

#include <cstdint>

namespace fireside {

// Row conversions between f16 and f32 (round to nearest even), with the F16C instructions where the
// CPU has them: the KV cache converts a row for every attention step.
void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n);
void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n);

// The F16C versions, defined in the AVX2 kernel file (only called when the CPU has F16C).
void f16_to_f32_row_f16c(const uint16_t* src, float* dst, int64_t n);
void f32_to_f16_row_f16c(const float* src, uint16_t* dst, int64_t n);

} // namespace fireside

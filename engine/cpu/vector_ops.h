#pragma once

#include <cstdint>

namespace fireside {

// Float primitives of the forward pass, with AVX2 + FMA where the CPU has it.
//
// Attention's float primitives over the rows of one head's keys or values (rows `stride` elements
// apart, n values each), with AVX2 + FMA where the CPU has it. f16 rows (as the KV cache stores them)
// are converted on the fly and give exactly what converting them first gives. Sums are formed in a
// different order from a plain loop, so results may differ from one in the last bits.

// scores[p] = a · row p, for p < n_rows.
void dot_rows(const float* a, const float* rows, int64_t stride, int64_t n_rows, int64_t n, float* scores);
void dot_rows(const float* a, const uint16_t* rows, int64_t stride, int64_t n_rows, int64_t n, float* scores);
// out = Σ_p w[p] · row p (each element summed over p in order).
void weighted_rows(const float* w, const float* rows, int64_t stride, int64_t n_rows, int64_t n, float* out);
void weighted_rows(const float* w, const uint16_t* rows, int64_t stride, int64_t n_rows, int64_t n,
                   float* out);

// gate[i] = silu(gate[i]) * up[i], silu(x) = x / (1 + e^-x): the LLaMA feed-forward gate.
void swiglu(float* gate, const float* up, int64_t n);
// x = softmax(x * scale) over n values (n >= 1).
void softmax(float* x, int64_t n, float scale);

// The AVX2 versions, defined in the AVX2 kernel file (only called when the CPU has AVX2 + FMA + F16C).
void dot_rows_avx2(const float* a, const float* rows, int64_t stride, int64_t n_rows, int64_t n,
                   float* scores);
void dot_rows_avx2(const float* a, const uint16_t* rows, int64_t stride, int64_t n_rows, int64_t n,
                   float* scores);
void weighted_rows_avx2(const float* w, const float* rows, int64_t stride, int64_t n_rows, int64_t n,
                        float* out);
void weighted_rows_avx2(const float* w, const uint16_t* rows, int64_t stride, int64_t n_rows, int64_t n,
                        float* out);
void swiglu_avx2(float* gate, const float* up, int64_t n);
void softmax_avx2(float* x, int64_t n, float scale);

} // namespace fireside

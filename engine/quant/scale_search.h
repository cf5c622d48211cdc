#pragma once

#include <cmath>
#include <cstdint>

// Least-squares fitting of one group of values to integer codes times a scale (and minus a min): the
// common core of the quantizers. Sums are kept in double so huge and tiny magnitudes stay exact enough.
namespace fireside::scale_search {

// Nearest integer in [lo, hi] (ties to even); NaN gives lo, so no float-to-int conversion overflows.
// Inside the range |v| < 2^22, where adding and removing 1.5 * 2^23 rounds to an integer in the default
// rounding mode: much cheaper than a libm call in the quantizers' inner loops.
inline int round_clamp(float v, int lo, int hi) {
    if (!(v > static_cast<float>(lo))) return lo;
    if (v >= static_cast<float>(hi)) return hi;
    constexpr float k_round = 12582912.0f;
    return static_cast<int>((v + k_round) - k_round);
}

// Codes for x ~ scale * q, q in [qmin, qmax], for a given scale; returns the squared error.
double assign_symmetric(const float* x, int n, float scale, int qmin, int qmax, int* q);

// Codes for x ~ scale * q - min, q in [0, qmax], for a given scale and min; returns the squared error.
double assign_affine(const float* x, int n, float scale, float min, int qmax, int* q);

// Finds scale (either sign) and codes q in [qmin, qmax] minimising sum (x - scale * q)^2: a sweep of
// candidate scales, each refined by the least-squares scale for its codes, then alternating refinement
// from the best. Returns the squared error.
double fit_symmetric(const float* x, int n, int qmin, int qmax, int* q, float* scale);

// Finds scale >= 0, min >= 0 and codes q in [0, qmax] minimising sum (x - (scale * q - min))^2, the same
// way. min >= 0 because the k-quants store it unsigned (the group's offset is -min <= 0).
double fit_affine_nonneg_min(const float* x, int n, int qmax, int* q, float* scale, float* min);

// As fit_affine_nonneg_min but x ~ scale * q + offset with an offset of any sign (q4_1, q5_1).
double fit_affine(const float* x, int n, int qmax, int* q, float* scale, float* offset);

} // namespace fireside::scale_search

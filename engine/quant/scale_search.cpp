#include "engine/quant/scale_search.h"

#include <algorithm>
#include <limits>

namespace fireside::scale_search {
namespace {

constexpr int k_max_group = 256;
constexpr int k_refine_rounds = 8;
// Candidate positions of the group's extreme value, as fractions of the end of the code range: the best
// scale is often a little off the plain max-abs scale, either clipping the extreme or leaving headroom.
constexpr int k_candidates = 21;
float candidate_fraction(int i) {
    return 0.8f + 0.02f * static_cast<float>(i);
}

double squared_error_symmetric(const float* x, int n, float scale, const int* q) {
    double err = 0;
    for (int i = 0; i < n; ++i) {
        const double diff = static_cast<double>(x[i]) - static_cast<double>(scale * static_cast<float>(q[i]));
        err += diff * diff;
    }
    return err;
}

double squared_error_affine(const float* x, int n, float scale, float min, const int* q) {
    double err = 0;
    for (int i = 0; i < n; ++i) {
        const double diff =
            static_cast<double>(x[i]) - static_cast<double>(scale * static_cast<float>(q[i]) - min);
        err += diff * diff;
    }
    return err;
}

// The least-squares scale for fixed codes.
float ls_scale(const float* x, int n, const int* q) {
    double sqx = 0, sqq = 0;
    for (int i = 0; i < n; ++i) {
        sqx += static_cast<double>(q[i]) * x[i];
        sqq += static_cast<double>(q[i]) * q[i];
    }
    return sqq > 0 ? static_cast<float>(sqx / sqq) : 0.0f;
}

// The least-squares scale and offset for fixed codes (x ~ scale * q + offset); with nonpositive_offset the
// offset is held at or below zero.
void ls_scale_offset(const float* x, int n, const int* q, bool nonpositive_offset, float* scale,
                     float* offset) {
    double sq = 0, sqq = 0, sx = 0, sqx = 0;
    for (int i = 0; i < n; ++i) {
        sq += q[i];
        sqq += static_cast<double>(q[i]) * q[i];
        sx += x[i];
        sqx += static_cast<double>(q[i]) * x[i];
    }
    const double det = n * sqq - sq * sq;
    double s = 0, o = sx / n;
    if (det > 0) {
        s = (n * sqx - sq * sx) / det;
        o = (sx - s * sq) / n;
    }
    if (nonpositive_offset && o > 0) {
        o = 0;
        s = sqq > 0 ? sqx / sqq : 0;
    }
    if (s < 0) { // codes anti-correlated with x only in degenerate groups: fall back to a constant
        s = 0;
        o = sx / n;
        if (nonpositive_offset && o > 0) o = 0;
    }
    *scale = static_cast<float>(s);
    *offset = static_cast<float>(o);
}

} // namespace

double assign_symmetric(const float* x, int n, float scale, int qmin, int qmax, int* q) {
    const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
    for (int i = 0; i < n; ++i) q[i] = round_clamp(x[i] * inverse, qmin, qmax);
    return squared_error_symmetric(x, n, scale, q);
}

double assign_affine(const float* x, int n, float scale, float min, int qmax, int* q) {
    const float inverse = scale > 0.0f ? 1.0f / scale : 0.0f;
    for (int i = 0; i < n; ++i) q[i] = round_clamp((x[i] + min) * inverse, 0, qmax);
    return squared_error_affine(x, n, scale, min, q);
}

double fit_symmetric(const float* x, int n, int qmin, int qmax, int* q, float* scale) {
    float extreme = 0;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > std::fabs(extreme)) extreme = x[i];
    if (!(std::fabs(extreme) > 0.0f) || !std::isfinite(extreme)) {
        *scale = 0;
        return assign_symmetric(x, n, 0.0f, qmin, qmax, q);
    }
    int trial[k_max_group];
    double best = std::numeric_limits<double>::infinity();
    float best_scale = 0;
    for (int end : {qmin, qmax}) {
        if (end == 0) continue;
        for (int c = 0; c < k_candidates; ++c) {
            assign_symmetric(x, n, extreme / (static_cast<float>(end) * candidate_fraction(c)), qmin, qmax,
                             trial);
            const float s = ls_scale(x, n, trial);
            const double err = squared_error_symmetric(x, n, s, trial);
            if (err < best) {
                best = err;
                best_scale = s;
                std::copy(trial, trial + n, q);
            }
        }
    }
    for (int round = 0; round < k_refine_rounds; ++round) {
        assign_symmetric(x, n, best_scale, qmin, qmax, trial);
        const float s = ls_scale(x, n, trial);
        const double err = squared_error_symmetric(x, n, s, trial);
        if (!(err < best)) break;
        best = err;
        best_scale = s;
        std::copy(trial, trial + n, q);
    }
    *scale = best_scale;
    return best;
}

namespace {

double fit_affine_impl(const float* x, int n, int qmax, bool nonpositive_offset, int* q, float* scale,
                       float* offset) {
    float lo = x[0], hi = x[0];
    for (int i = 1; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    if (nonpositive_offset) lo = std::min(lo, 0.0f);
    if (!(hi > lo) || !std::isfinite(hi - lo)) {
        // A constant group (or one the format cannot hold): the offset alone carries it.
        *scale = 0;
        *offset = std::isfinite(lo) ? lo : 0.0f;
        return assign_affine(x, n, 0.0f, -*offset, qmax, q);
    }
    int trial[k_max_group];
    double best = std::numeric_limits<double>::infinity();
    float best_scale = 0, best_offset = 0;
    auto consider = [&](float s0, float o0) {
        assign_affine(x, n, s0, -o0, qmax, trial);
        float s, o;
        ls_scale_offset(x, n, trial, nonpositive_offset, &s, &o);
        const double err = squared_error_affine(x, n, s, -o, trial);
        if (err < best) {
            best = err;
            best_scale = s;
            best_offset = o;
            std::copy(trial, trial + n, q);
            return true;
        }
        return false;
    };
    for (int c = 0; c < k_candidates; ++c)
        consider((hi - lo) / (static_cast<float>(qmax) * candidate_fraction(c)), lo);
    for (int round = 0; round < k_refine_rounds; ++round)
        if (!consider(best_scale, best_offset)) break;
    *scale = best_scale;
    *offset = best_offset;
    return best;
}

} // namespace

double fit_affine_nonneg_min(const float* x, int n, int qmax, int* q, float* scale, float* min) {
    float offset = 0;
    const double err = fit_affine_impl(x, n, qmax, true, q, scale, &offset);
    *min = -offset;
    return err;
}

double fit_affine(const float* x, int n, int qmax, int* q, float* scale, float* offset) {
    return fit_affine_impl(x, n, qmax, false, q, scale, offset);
}

} // namespace fireside::scale_search

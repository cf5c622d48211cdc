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

// Candidates are ranked by the error of the least-squares fit of their codes, computed from the sums
// sum(q x), sum(q q), ... in one pass: err = sum(x^2) - 2 s sum(qx) + s^2 sum(qq) (+ offset terms).
struct Sums {
    double q = 0, qq = 0, qx = 0;
};

Sums assign_codes(const float* x, int n, float inverse, float shift, int qmin, int qmax, int* q) {
    Sums s;
    for (int i = 0; i < n; ++i) {
        q[i] = round_clamp((x[i] + shift) * inverse, qmin, qmax);
        s.q += q[i];
        s.qq += static_cast<double>(q[i]) * q[i];
        s.qx += static_cast<double>(q[i]) * x[i];
    }
    return s;
}

} // namespace

double assign_symmetric(const float* x, int n, float scale, int qmin, int qmax, int* q) {
    const float inverse = scale != 0.0f ? 1.0f / scale : 0.0f;
    double err = 0;
    for (int i = 0; i < n; ++i) {
        q[i] = round_clamp(x[i] * inverse, qmin, qmax);
        const double diff = static_cast<double>(x[i]) - static_cast<double>(scale * static_cast<float>(q[i]));
        err += diff * diff;
    }
    return err;
}

double assign_affine(const float* x, int n, float scale, float min, int qmax, int* q) {
    const float inverse = scale > 0.0f ? 1.0f / scale : 0.0f;
    double err = 0;
    for (int i = 0; i < n; ++i) {
        q[i] = round_clamp((x[i] + min) * inverse, 0, qmax);
        const double diff =
            static_cast<double>(x[i]) - static_cast<double>(scale * static_cast<float>(q[i]) - min);
        err += diff * diff;
    }
    return err;
}

double fit_symmetric(const float* x, int n, int qmin, int qmax, int* q, float* scale) {
    float extreme = 0;
    double sum_xx = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > std::fabs(extreme)) extreme = x[i];
        sum_xx += static_cast<double>(x[i]) * x[i];
    }
    if (!(std::fabs(extreme) > 0.0f) || !std::isfinite(extreme)) {
        *scale = 0;
        return assign_symmetric(x, n, 0.0f, qmin, qmax, q);
    }
    int trial[k_max_group];
    double best = std::numeric_limits<double>::infinity();
    float best_scale = 0;
    // Codes for a trial scale, ranked by the error of their least-squares scale.
    auto consider = [&](float trial_scale) {
        const Sums s = assign_codes(x, n, 1.0f / trial_scale, 0.0f, qmin, qmax, trial);
        if (!(s.qq > 0)) return false;
        const double err = sum_xx - s.qx * s.qx / s.qq;
        if (!(err < best)) return false;
        best = err;
        best_scale = static_cast<float>(s.qx / s.qq);
        std::copy(trial, trial + n, q);
        return true;
    };
    for (int end : {qmin, qmax}) {
        if (end == 0) continue;
        for (int c = 0; c < k_candidates; ++c)
            consider(extreme / (static_cast<float>(end) * candidate_fraction(c)));
    }
    for (int round = 0; round < k_refine_rounds && best_scale != 0.0f; ++round)
        if (!consider(best_scale)) break;
    *scale = best_scale;
    return std::max(best, 0.0);
}

namespace {

double fit_affine_impl(const float* x, int n, int qmax, bool nonpositive_offset, int* q, float* scale,
                       float* offset) {
    float lo = x[0], hi = x[0];
    double sum_x = 0, sum_xx = 0;
    for (int i = 0; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
        sum_x += x[i];
        sum_xx += static_cast<double>(x[i]) * x[i];
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
    // Codes for a trial scale and offset, ranked by the error of their least-squares scale and offset
    // (offset held at or below zero when asked; a negative scale only in degenerate groups: constant).
    auto consider = [&](float trial_scale, float trial_offset) {
        const Sums s = assign_codes(x, n, 1.0f / trial_scale, -trial_offset, 0, qmax, trial);
        const double det = n * s.qq - s.q * s.q;
        double a = 0, o = sum_x / n;
        if (det > 0) {
            a = (n * s.qx - s.q * sum_x) / det;
            o = (sum_x - a * s.q) / n;
        }
        if (nonpositive_offset && o > 0) {
            o = 0;
            a = s.qq > 0 ? s.qx / s.qq : 0;
        }
        if (a < 0) {
            a = 0;
            o = sum_x / n;
            if (nonpositive_offset && o > 0) o = 0;
        }
        const double err = sum_xx - 2 * a * s.qx - 2 * o * sum_x + a * a * s.qq + 2 * a * o * s.q + n * o * o;
        if (!(err < best)) return false;
        best = err;
        best_scale = static_cast<float>(a);
        best_offset = static_cast<float>(o);
        std::copy(trial, trial + n, q);
        return true;
    };
    for (int c = 0; c < k_candidates; ++c)
        consider((hi - lo) / (static_cast<float>(qmax) * candidate_fraction(c)), lo);
    for (int round = 0; round < k_refine_rounds && best_scale > 0.0f; ++round)
        if (!consider(best_scale, best_offset)) break;
    *scale = best_scale;
    *offset = best_offset;
    return std::max(best, 0.0);
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

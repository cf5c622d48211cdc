#pragma once

// The logit comparisons of ../shared/reference/tolerance.json, shared by the tests that hold a
// forward pass (CPU or GPU) to a reference.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace fireside::test {

struct Metrics {
    double rms_ratio = 0, max_abs_diff = 0, mean_kl = 0, top1_agreement = 0;
    int margin_violations = 0;
    double largest_disagreeing_margin = 0; // the reference's top-1 lead where the argmax differs
};

// The five comparisons of reference/tolerance.json over [n_pos][n_vocab] logits.
inline Metrics compare(const std::vector<float>& test, const std::vector<float>& ref, int64_t n_vocab,
                       double margin) {
    Metrics m;
    const auto n_pos = static_cast<int64_t>(ref.size()) / n_vocab;
    double sum = 0, sum_sq = 0, diff_sq = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        sum += ref[i];
        sum_sq += static_cast<double>(ref[i]) * ref[i];
        const double d = static_cast<double>(test[i]) - ref[i];
        diff_sq += d * d;
        m.max_abs_diff = std::max(m.max_abs_diff, std::abs(d));
    }
    const double count = static_cast<double>(ref.size());
    const double mean = sum / count;
    m.rms_ratio = std::sqrt(diff_sq / count) / std::sqrt(sum_sq / count - mean * mean);
    int agree = 0;
    for (int64_t p = 0; p < n_pos; ++p) {
        const float* r = ref.data() + p * n_vocab;
        const float* t = test.data() + p * n_vocab;
        const double r_max = *std::max_element(r, r + n_vocab), t_max = *std::max_element(t, t + n_vocab);
        double r_sum = 0, t_sum = 0;
        for (int64_t v = 0; v < n_vocab; ++v) {
            r_sum += std::exp(r[v] - r_max);
            t_sum += std::exp(t[v] - t_max);
        }
        const double r_log = r_max + std::log(r_sum), t_log = t_max + std::log(t_sum);
        double kl = 0;
        for (int64_t v = 0; v < n_vocab; ++v) {
            const double lp = r[v] - r_log, lq = t[v] - t_log;
            kl += std::exp(lp) * (lp - lq);
        }
        m.mean_kl += kl / static_cast<double>(n_pos);
        const auto r_top = std::max_element(r, r + n_vocab) - r;
        const auto t_top = std::max_element(t, t + n_vocab) - t;
        double runner_up = -INFINITY;
        for (int64_t v = 0; v < n_vocab; ++v)
            if (v != r_top) runner_up = std::max(runner_up, static_cast<double>(r[v]));
        if (r_top == t_top) {
            ++agree;
        } else {
            m.largest_disagreeing_margin = std::max(m.largest_disagreeing_margin, r[r_top] - runner_up);
            if (r[r_top] - runner_up > margin) ++m.margin_violations;
        }
    }
    m.top1_agreement = static_cast<double>(agree) / static_cast<double>(n_pos);
    return m;
}

// True when every threshold of a tolerance.json "thresholds" object holds.
struct Thresholds {
    double rms_ratio_max, max_abs_diff_max, mean_kl_max, top1_agreement_min, margin;
};
inline bool within(const Metrics& m, const Thresholds& t) {
    return m.rms_ratio <= t.rms_ratio_max && m.max_abs_diff <= t.max_abs_diff_max &&
           m.mean_kl <= t.mean_kl_max && m.top1_agreement >= t.top1_agreement_min && m.margin_violations == 0;
}

} // namespace fireside::test

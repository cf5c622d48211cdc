#include "engine/model/rms_norm.h"

#include <cmath>

namespace fireside {

void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps) {
    // Eight partial sums: one running sum is a chain of dependent adds, several microseconds per row,
    // paid for every layer of every generated token while the other threads wait.
    constexpr int kLanes = 8;
    double lanes[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int k = 0; k < kLanes; ++k) lanes[k] += static_cast<double>(x[i + k]) * x[i + k];
    double sum = 0.0;
    for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
    for (double lane : lanes) sum += lane;
    const float scale = 1.0f / std::sqrt(static_cast<float>(sum / static_cast<double>(n)) + eps);
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

} // namespace fireside

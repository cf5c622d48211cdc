#pragma once

#include <cstdint>

namespace fireside {

// out = x / sqrt(mean(x^2) + eps) * weight, elementwise over n values (out may alias x). The sum of
// squares is accumulated in double: rows are thousands of values and the result scales every logit.
void rms_norm(const float* x, const float* weight, float* out, int64_t n, float eps);

} // namespace fireside

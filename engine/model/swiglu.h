#pragma once

#include <cstdint>

namespace fireside {

// The LLaMA feed-forward gate: gate[i] = silu(gate[i]) * up[i], silu(x) = x / (1 + e^-x).
void swiglu(float* gate, const float* up, int64_t n);

} // namespace fireside

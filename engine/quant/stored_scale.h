#pragma once

#include "engine/quant/fp16.h"

#include <algorithm>
#include <cstdint>

namespace fireside {

// A scale as stored in an f16 field: finite (clamped to the largest half, so a block of huge values
// degrades to clipping instead of inf/nan) and read back exactly as the dequantizer will see it.
struct StoredScale {
    uint16_t bits;
    float value;
};

inline StoredScale store_scale_f16(float scale) {
    constexpr float k_max_half = 65504.0f;
    const float clamped = std::clamp(scale, -k_max_half, k_max_half);
    const uint16_t bits = f32_to_f16(clamped == clamped ? clamped : 0.0f);
    return {bits, f16_to_f32(bits)};
}

} // namespace fireside

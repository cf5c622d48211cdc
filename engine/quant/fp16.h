#pragma once

#include <bit>
#include <cstdint>

namespace fireside {

// IEEE 754 binary16 <-> binary32, exact and independent of the FPU's rounding mode, so the results match
// what files were written with. Header-only so hot loops inline it; SIMD fast paths live elsewhere.

// Every half value is exactly representable as a float, so this conversion is exact.
inline float f16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    const uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13)); // inf, nan
    if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    // Zero or subnormal: mantissa * 2^-24 is exact in float.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
}

// Round to nearest, ties to even; overflow gives inf, nan stays nan (quiet, upper payload bits kept).
inline uint16_t f32_to_f16(float f) {
    const uint32_t bits = std::bit_cast<uint32_t>(f);
    const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
    const uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude >= 0x7f800000u) {
        if (magnitude == 0x7f800000u) return sign | 0x7c00u;
        return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
    }
    if (magnitude >= 0x477ff000u) return sign | 0x7c00u; // 65520 and above round to inf
    if (magnitude >= 0x38800000u) {                      // normal half: |f| >= 2^-14
        // Adding 0xfff plus the lowest kept bit rounds the 13 dropped bits to nearest even; a carry
        // into the exponent is the correct result too.
        const uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
        return static_cast<uint16_t>(sign | ((rounded - (112u << 23)) >> 13));
    }
    // Subnormal half (units of 2^-24) or zero.
    const uint32_t exponent = magnitude >> 23;
    if (exponent < 102) return sign; // below 2^-25 (a tie at exactly 2^-25 goes to even: zero)
    const uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126u - exponent; // 14..24
    uint32_t units = significand >> shift;
    const uint32_t rest = significand & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1u);
    if (rest > half || (rest == half && (units & 1u))) ++units; // may become 0x400: the smallest normal
    return static_cast<uint16_t>(sign | units);
}

} // namespace fireside

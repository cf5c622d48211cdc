// f32 -> f16 bits rounded to nearest, ties to even, exactly as the CPU cache rounds (packHalf2x16
// leaves the rounding to the implementation, and lavapipe's differs).
uint half_bits(float f) {
    uint bits = floatBitsToUint(f);
    uint sign = (bits >> 16) & 0x8000u;
    uint mag = bits & 0x7fffffffu;
    if (mag >= 0x7f800000u) return sign | (mag == 0x7f800000u ? 0x7c00u : (0x7e00u | ((mag >> 13) & 0x3ffu)));
    if (mag >= 0x477ff000u) return sign | 0x7c00u;
    if (mag >= 0x38800000u) return sign | ((mag + 0xfffu + ((mag >> 13) & 1u) - (112u << 23)) >> 13);
    uint e = mag >> 23;
    if (e < 102u) return sign;
    uint significand = (mag & 0x7fffffu) | 0x800000u;
    uint shift = 126u - e;
    uint units = significand >> shift;
    uint rest = significand & ((1u << shift) - 1u);
    uint halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (units & 1u) != 0u)) ++units;
    return sign | units;
}

// f rounded to the nearest f16 value.
float round_to_half(float f) { return unpackHalf2x16(half_bits(f)).x; }

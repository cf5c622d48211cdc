// Reading GGML blocks exactly as the model file stores them, from a buffer of 32-bit words named
// `wdata`, with shifts only: no 8- or 16-bit storage feature is needed, so every Vulkan 1.1 device
// runs these. All f16 fields of every format sit at even byte offsets (block sizes are even), which
// u16_at relies on.
//
// The includer defines exactly one BLOCK_<TYPE> and gets:
//   CHUNK_MAY_BE_PARTIAL  defined for f32/f16, whose rows need not be a multiple of 16 values
//   load_chunk(rb, c, n_cols, q, a, b): values 16c .. 16c + 15 of the row starting at byte rb, as
//       value = a * q + b (q in four vec4), zeros past n_cols.
// A 16-value chunk never straddles a scale: every block type's scales cover 16 or 32 values.

uint byte_at(uint b) { return (wdata[b >> 2] >> ((b & 3u) * 8u)) & 0xffu; }
uint u16_at(uint b) { return (wdata[b >> 2] >> ((b & 2u) * 8u)) & 0xffffu; }
float f16_at(uint b) { return unpackHalf2x16(u16_at(b)).x; }
// Four bytes at any byte offset, without branching (neighbouring invocations often differ in
// alignment); buffers carry one word of padding so the second load stays in bounds.
uint u32_at(uint b) {
    uint s = (b & 3u) * 8u;
    uint lo = wdata[b >> 2];
    uint hi = wdata[(b >> 2) + 1u];
    return s == 0u ? lo : (lo >> s) | (hi << ((32u - s) & 31u));
}

// The four bytes of w as unsigned values, each shifted right by `shift` and masked.
vec4 bytes4(uint w, uint shift, uint mask) {
    return vec4(float((w >> shift) & mask), float((w >> (8u + shift)) & mask), float((w >> (16u + shift)) & mask),
                float((w >> (24u + shift)) & mask));
}
// The four bytes of w as signed 8-bit values.
vec4 sbytes4(uint w) {
    return vec4(float(int(w << 24) >> 24), float(int(w << 16) >> 24), float(int(w << 8) >> 24), float(int(w) >> 24));
}
// Bits i .. i + 3 of w, each as 0 or 1.
vec4 bits4(uint w, uint i) {
    return vec4(float((w >> i) & 1u), float((w >> (i + 1u)) & 1u), float((w >> (i + 2u)) & 1u),
                float((w >> (i + 3u)) & 1u));
}
// Bit `bit` of each of the four bytes of w, as 0 or 1.
vec4 bytebit4(uint w, uint bit) { return bytes4(w, bit, 1u); }

#if defined(BLOCK_F32)
#define CHUNK_MAY_BE_PARTIAL
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    a = 1.0;
    b = 0.0;
    uint first = c * 16u;
    for (uint k = 0u; k < 4u; ++k) {
        vec4 v = vec4(0.0);
        for (uint i = 0u; i < 4u; ++i) {
            uint e = first + 4u * k + i;
            if (e < n_cols) v[i] = uintBitsToFloat(u32_at(rb + 4u * e));
        }
        q[k] = v;
    }
}
#elif defined(BLOCK_F16)
#define CHUNK_MAY_BE_PARTIAL
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    a = 1.0;
    b = 0.0;
    uint first = c * 16u;
    for (uint k = 0u; k < 4u; ++k) {
        uint e = first + 4u * k;
        if (e + 4u <= n_cols) {
            q[k] = vec4(unpackHalf2x16(u32_at(rb + 2u * e)), unpackHalf2x16(u32_at(rb + 2u * e + 4u)));
        } else {
            vec4 v = vec4(0.0);
            for (uint i = 0u; i < 4u; ++i)
                if (e + i < n_cols) v[i] = f16_at(rb + 2u * (e + i));
            q[k] = v;
        }
    }
}
#elif defined(BLOCK_Q4_0) || defined(BLOCK_Q4_1)
#if defined(BLOCK_Q4_0)
const uint BLOCK_BYTES = 18u, QS = 2u;
#else
const uint BLOCK_BYTES = 20u, QS = 4u;
#endif
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    uint bb = rb + (c >> 1) * BLOCK_BYTES;
    uint shift = (c & 1u) * 4u; // values 0..15 are the low nibbles, 16..31 the high ones
    a = f16_at(bb);
#if defined(BLOCK_Q4_0)
    b = -8.0 * a;
#else
    b = f16_at(bb + 2u);
#endif
    for (uint k = 0u; k < 4u; ++k) q[k] = bytes4(u32_at(bb + QS + 4u * k), shift, 15u);
}
#elif defined(BLOCK_Q5_0) || defined(BLOCK_Q5_1)
#if defined(BLOCK_Q5_0)
const uint BLOCK_BYTES = 22u, QH = 2u, QS = 6u;
#else
const uint BLOCK_BYTES = 24u, QH = 4u, QS = 8u;
#endif
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    uint bb = rb + (c >> 1) * BLOCK_BYTES;
    uint half_ = c & 1u;
    a = f16_at(bb);
#if defined(BLOCK_Q5_0)
    b = -16.0 * a;
#else
    b = f16_at(bb + 2u);
#endif
    uint qh = u32_at(bb + QH);
    for (uint k = 0u; k < 4u; ++k)
        q[k] = bytes4(u32_at(bb + QS + 4u * k), half_ * 4u, 15u) + 16.0 * bits4(qh, half_ * 16u + 4u * k);
}
#elif defined(BLOCK_Q8_0)
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    uint bb = rb + (c >> 1) * 34u;
    a = f16_at(bb);
    b = 0.0;
    uint qs = bb + 2u + (c & 1u) * 16u;
    for (uint k = 0u; k < 4u; ++k) q[k] = sbytes4(u32_at(qs + 4u * k));
}
#elif defined(BLOCK_Q2_K)
// Chunk s of a block is sub-block s; its values are 128h + 32k + l0 + j with h = s / 8, k = (s % 8) / 2.
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    uint bb = rb + (c >> 4) * 84u;
    uint s = c & 15u, h = s >> 3, k = (s & 7u) >> 1, l0 = (s & 1u) * 16u;
    uint sc = byte_at(bb + s);
    a = f16_at(bb + 80u) * float(sc & 15u);
    b = -f16_at(bb + 82u) * float(sc >> 4);
    for (uint i = 0u; i < 4u; ++i) q[i] = bytes4(u32_at(bb + 16u + 32u * h + l0 + 4u * i), 2u * k, 3u);
}
#elif defined(BLOCK_Q3_K)
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    uint bb = rb + (c >> 4) * 110u;
    uint s = c & 15u, h = s >> 3, k = (s & 7u) >> 1, l0 = (s & 1u) * 16u;
    uint lo = (byte_at(bb + 96u + (s & 7u)) >> (4u * (s >> 3))) & 15u;
    uint hi = (byte_at(bb + 104u + (s & 3u)) >> (2u * (s >> 2))) & 3u;
    a = f16_at(bb + 108u) * (float(lo | (hi << 4)) - 32.0);
    b = -4.0 * a;
    for (uint i = 0u; i < 4u; ++i)
        q[i] = bytes4(u32_at(bb + 32u + 32u * h + l0 + 4u * i), 2u * k, 3u) +
               4.0 * bytebit4(u32_at(bb + l0 + 4u * i), 4u * h + k);
}
#elif defined(BLOCK_Q4_K) || defined(BLOCK_Q5_K)
#if defined(BLOCK_Q4_K)
const uint BLOCK_BYTES = 144u, QS = 16u;
#else
const uint BLOCK_BYTES = 176u, QH = 16u, QS = 48u;
#endif
// Sub-block sb (32 values) is chunks 2sb, 2sb + 1: value 64g + 32 * (sb & 1) + l, nibble of qs[32g + l].
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    uint bb = rb + (c >> 4) * BLOCK_BYTES;
    uint s = c & 15u, sb = s >> 1, g = sb >> 1, l0 = (s & 1u) * 16u;
    uint sc, mn;
    if (sb < 4u) {
        sc = byte_at(bb + 4u + sb) & 63u;
        mn = byte_at(bb + 8u + sb) & 63u;
    } else {
        uint packed = byte_at(bb + 8u + sb);
        sc = (packed & 15u) | ((byte_at(bb + sb) >> 6) << 4);
        mn = (packed >> 4) | ((byte_at(bb + 4u + sb) >> 6) << 4);
    }
    a = f16_at(bb) * float(sc);
    b = -f16_at(bb + 2u) * float(mn);
    for (uint i = 0u; i < 4u; ++i) {
        q[i] = bytes4(u32_at(bb + QS + 32u * g + l0 + 4u * i), (sb & 1u) * 4u, 15u);
#if defined(BLOCK_Q5_K)
        q[i] += 16.0 * bytebit4(u32_at(bb + QH + l0 + 4u * i), sb);
#endif
    }
}
#elif defined(BLOCK_Q6_K)
void load_chunk(uint rb, uint c, uint n_cols, out vec4 q[4], out float a, out float b) {
    uint bb = rb + (c >> 4) * 210u;
    uint s = c & 15u, h = s >> 3, g = (s & 7u) >> 1, l0 = (s & 1u) * 16u;
    int sc = int(byte_at(bb + 192u + s) << 24) >> 24;
    a = f16_at(bb + 208u) * float(sc);
    b = -32.0 * a;
    for (uint i = 0u; i < 4u; ++i)
        q[i] = bytes4(u32_at(bb + 64u * h + 32u * (g & 1u) + l0 + 4u * i), (g >> 1) * 4u, 15u) +
               16.0 * bytes4(u32_at(bb + 128u + 32u * h + l0 + 4u * i), 2u * g, 3u);
}
#else
#error "define one BLOCK_<TYPE>"
#endif

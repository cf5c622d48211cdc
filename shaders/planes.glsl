// y[t][row] = W[row] . x[t] for weights repacked at upload into word-aligned planes (see
// engine/vulkan/planes.h): rows in groups of 8, one invocation per row, so that the eight rows of a
// group sit in the eight SIMD lanes of a CPU rasterizer (lavapipe runs a workgroup's invocations as
// the lanes of one thread). A row is a sequence of units, each one 16-byte word of codes and one f32
// scale; a lane reads a unit's codes with one 16-byte texel fetch and its scales four units at a
// time. Weights and activations are both read as texel buffers: lavapipe fetches a texel for every
// lane in straight-line code, where it loads from a storage buffer lane by lane in a bounds-checked
// loop (even at an index that is the same for all lanes), which made the kernel about twice as slow.
//
//   codes plane: uvec4 [group][unit][lane]
//   scales plane: vec4 [group][quad][lane]    the scales of units 4q .. 4q + 3 (0 past the row)
// Rows past n_rows (the last group's padding) have zero codes and scales.
//
// The includer defines one unit format:
//   PLANES_Q4_0  a q4_0 block: 32 values, the block's 16 bytes of nibbles as in the file, value
//                scale * (nibble - 8)
//   PLANES_S8    16 values as signed bytes, value scale * byte (q6_K: one 16-value sub-block)
// and ROWS_PER_LANE, the row groups each invocation serves (the host dispatches to match), and
// TOKENS_PER_GROUP 1 for the one-token kernel.

layout(local_size_x = 8) in;
#ifndef TOKENS_PER_GROUP
#define TOKENS_PER_GROUP 8
#endif
const uint NT = TOKENS_PER_GROUP;

#if defined(PLANES_Q4_0)
const uint V = 8u; // vec4s of values per unit
#elif defined(PLANES_S8)
const uint V = 4u;
#else
#error "define one PLANES_<FORMAT>"
#endif

layout(binding = 0) uniform usamplerBuffer wtexels; // the planes, one 16-byte word a texel
uvec4 wload(uint i) { return texelFetch(wtexels, int(i)); }
layout(binding = 1) uniform usamplerBuffer xtexels; // the activations, four floats a texel
vec4 xload(uint i) { return uintBitsToFloat(texelFetch(xtexels, int(i))); }
layout(std430, binding = 2) buffer Y { float ydata[]; };

layout(push_constant) uniform Params {
    uint n_units;   // units per row
    uint n_rows;
    uint n_tokens;
    uint scales_at; // the scales plane, in 16-byte units from w_offset
    uint w_offset;  // 16-byte units
    uint x_offset;  // texels (4 floats)
    uint x_stride;  // texels
    uint y_offset;  // floats
    uint y_stride;
    uint accumulate; // 1: y += W x (fuses the residual add)
} p;

// The unit's values without their scale.
void unpack(uvec4 c, out vec4 v[V]) {
    for (uint k = 0u; k < 4u; ++k) {
        uint w = c[k];
#if defined(PLANES_Q4_0)
        // Byte i: value i in its low nibble, value 16 + i in its high one.
        v[k] = vec4(float(w & 15u), float((w >> 8) & 15u), float((w >> 16) & 15u), float((w >> 24) & 15u)) - 8.0;
        v[k + 4u] =
            vec4(float((w >> 4) & 15u), float((w >> 12) & 15u), float((w >> 20) & 15u), float(w >> 28)) - 8.0;
#else
        v[k] = vec4(float(int(w << 24) >> 24), float(int(w << 16) >> 24), float(int(w << 8) >> 24),
                    float(int(w) >> 24));
#endif
    }
}

float dot_unit(vec4 v[V], vec4 x[V]) {
    vec4 s = v[0] * x[0] + v[1] * x[1] + v[2] * x[2] + v[3] * x[3];
#if defined(PLANES_Q4_0)
    s += v[4] * x[4] + v[5] * x[5] + v[6] * x[6] + v[7] * x[7];
#endif
    return (s.x + s.y) + (s.z + s.w);
}

#if TOKENS_PER_GROUP == 1
// One token: each invocation takes a row of R groups (8R rows per workgroup), so each activation
// load serves R rows.
const uint R = ROWS_PER_LANE;
void main() {
    uint lane = gl_LocalInvocationID.x;
    uint n_groups = (p.n_rows + 7u) / 8u;
    uint n_quads = (p.n_units + 3u) / 4u;
    uint codes[R], scales[R];
    for (uint i = 0u; i < R; ++i) {
        // Past the last group: read the last one again (the result is not stored).
        uint g = min(gl_WorkGroupID.x * R + i, n_groups - 1u);
        codes[i] = p.w_offset + g * p.n_units * 8u + lane;
        scales[i] = p.w_offset + p.scales_at + g * n_quads * 8u + lane;
    }
    float acc[R];
    for (uint i = 0u; i < R; ++i) acc[i] = 0.0;
    for (uint q = 0u; q < n_quads; ++q) {
        vec4 d[R];
        for (uint i = 0u; i < R; ++i) d[i] = uintBitsToFloat(wload(scales[i] + q * 8u));
        for (uint j = 0u; j < 4u; ++j) {
            uint u = q * 4u + j;
            if (u >= p.n_units) break;
            vec4 x[V];
            uint xi = p.x_offset + u * V;
            for (uint k = 0u; k < V; ++k) x[k] = xload(xi + k);
#if defined(PLANES_Q4_0)
            // Nibbles are multiplied where they sit in their word (masked, not shifted), against
            // activations scaled down by the same powers of two (exact), and the -8 of every value
            // is applied once through the sum of the activations: per value one AND, one conversion
            // and one multiply-add, with the activation work shared by the R rows.
            const vec4 lo_scale = vec4(1.0, 1.0 / 256.0, 1.0 / 65536.0, 1.0 / 16777216.0);
            const vec4 hi_scale = vec4(1.0 / 16.0, 1.0 / 4096.0, 1.0 / 1048576.0, 1.0);
            vec4 sum4 = vec4(0.0);
            for (uint k = 0u; k < 8u; ++k) sum4 += x[k];
            float offset = 8.0 * ((sum4.x + sum4.y) + (sum4.z + sum4.w));
            for (uint k = 0u; k < 4u; ++k) {
                x[k] *= lo_scale;
                x[k + 4u] *= hi_scale;
            }
            for (uint i = 0u; i < R; ++i) {
                uvec4 c = wload(codes[i] + u * 8u);
                vec4 s = vec4(0.0);
                for (uint k = 0u; k < 4u; ++k) {
                    uint w = c[k];
                    s += vec4(float(int(w & 0xfu)), float(int(w & 0xf00u)), float(int(w & 0xf0000u)),
                              float(int(w & 0xf000000u))) * x[k];
                    s += vec4(float(int(w & 0xf0u)), float(int(w & 0xf000u)), float(int(w & 0xf00000u)),
                              float(w >> 28)) * x[k + 4u];
                }
                acc[i] += d[i][j] * (((s.x + s.y) + (s.z + s.w)) - offset);
            }
#else
            for (uint i = 0u; i < R; ++i) {
                vec4 v[V];
                unpack(wload(codes[i] + u * 8u), v);
                acc[i] += d[i][j] * dot_unit(v, x);
            }
#endif
        }
    }
    for (uint i = 0u; i < R; ++i) {
        uint row = (gl_WorkGroupID.x * R + i) * 8u + lane;
        if (row < p.n_rows) {
            uint yi = p.y_offset + row;
            ydata[yi] = p.accumulate != 0u ? ydata[yi] + acc[i] : acc[i];
        }
    }
}
#else
// A tile of NT tokens over R row groups: each unit is unpacked once for all the tokens, and each
// activation texel serves the R groups.
const uint R = ROWS_PER_LANE;
void main() {
    uint lane = gl_LocalInvocationID.x;
    uint t0 = gl_WorkGroupID.y * NT;
    uint nt = t0 < p.n_tokens ? min(NT, p.n_tokens - t0) : 0u;
    uint n_groups = (p.n_rows + 7u) / 8u;
    uint n_quads = (p.n_units + 3u) / 4u;
    uint codes[R], scales[R];
    for (uint i = 0u; i < R; ++i) {
        // Past the last group: read the last one again (the result is not stored).
        uint g = min(gl_WorkGroupID.x * R + i, n_groups - 1u);
        codes[i] = p.w_offset + g * p.n_units * 8u + lane;
        scales[i] = p.w_offset + p.scales_at + g * n_quads * 8u + lane;
    }
    float acc[R * NT];
    for (uint k = 0u; k < R * NT; ++k) acc[k] = 0.0;
    for (uint q = 0u; q < n_quads; ++q) {
        vec4 d[R];
        for (uint i = 0u; i < R; ++i) d[i] = uintBitsToFloat(wload(scales[i] + q * 8u));
        for (uint j = 0u; j < 4u; ++j) {
            uint u = q * 4u + j;
            if (u >= p.n_units) break;
            vec4 v[R * V];
            for (uint i = 0u; i < R; ++i) {
                vec4 one[V];
                unpack(wload(codes[i] + u * 8u), one);
                for (uint k = 0u; k < V; ++k) v[i * V + k] = one[k];
            }
            for (uint t = 0u; t < NT; ++t) {
                if (t < nt) {
                    vec4 x[V];
                    uint xi = p.x_offset + (t0 + t) * p.x_stride + u * V;
                    for (uint k = 0u; k < V; ++k) x[k] = xload(xi + k);
                    for (uint i = 0u; i < R; ++i) {
                        vec4 s = vec4(0.0);
                        for (uint k = 0u; k < V; ++k) s += v[i * V + k] * x[k];
                        acc[i * NT + t] += d[i][j] * ((s.x + s.y) + (s.z + s.w));
                    }
                }
            }
        }
    }
    for (uint i = 0u; i < R; ++i) {
        uint row = (gl_WorkGroupID.x * R + i) * 8u + lane;
        if (row < p.n_rows) {
            for (uint t = 0u; t < NT; ++t) {
                if (t < nt) {
                    uint yi = p.y_offset + (t0 + t) * p.y_stride + row;
                    ydata[yi] = p.accumulate != 0u ? ydata[yi] + acc[i * NT + t] : acc[i * NT + t];
                }
            }
        }
    }
}
#endif

// y[t][row] = W[row] . x[t] for q4_0 weights repacked at upload into word-aligned planes (see
// engine/vulkan/planes.h): rows in groups of 8, one invocation per row, so that the eight rows of a
// group sit in the eight SIMD lanes of a CPU rasterizer (lavapipe runs a workgroup's invocations as
// the lanes of one thread). Each lane reads its block's 16 code bytes with one 16-byte load, and its
// scales four blocks at a time; the activations are the same for all lanes (uniform loads).
//
//   codes plane: uvec4 [group][block][lane]   the block's 16 bytes of nibbles, as in the file
//   scales plane: vec4 [group][quad][lane]    the f32 scales of blocks 4q .. 4q + 3 (0 past the row)
// Rows past n_rows (the last group's padding) have zero codes and scales.

layout(local_size_x = 8) in;
#ifndef TOKENS_PER_GROUP
#define TOKENS_PER_GROUP 8
#endif
const uint NT = TOKENS_PER_GROUP;

layout(std430, binding = 0) readonly buffer Weights { uvec4 wdata[]; };
#if defined(X_UNIFORM)
// Sized by the host to the range it binds (at most maxUniformBufferRange).
layout(constant_id = 0) const uint X_VEC4S = 1024;
layout(std140, binding = 1) uniform X { vec4 xdata[X_VEC4S]; };
#else
layout(std430, binding = 1) readonly buffer X { vec4 xdata[]; };
#endif
layout(std430, binding = 2) buffer Y { float ydata[]; };

layout(push_constant) uniform Params {
    uint n_blocks;  // 32-value blocks per row
    uint n_rows;
    uint n_tokens;
    uint scales_at; // the scales plane, in 16-byte units from w_offset
    uint w_offset;  // 16-byte units
    uint x_offset;  // vec4 units
    uint x_stride;  // vec4 units
    uint y_offset;  // floats
    uint y_stride;
    uint accumulate; // 1: y += W x (fuses the residual add)
} p;

// Values 0..31 of the block whose 16 code bytes are c, minus 8: byte i holds value i in its low
// nibble and value 16 + i in its high one.
void unpack(uvec4 c, out vec4 v[8]) {
    for (uint k = 0u; k < 4u; ++k) {
        uint w = c[k];
        v[k] = vec4(float(w & 15u), float((w >> 8) & 15u), float((w >> 16) & 15u), float((w >> 24) & 15u)) - 8.0;
        v[k + 4u] =
            vec4(float((w >> 4) & 15u), float((w >> 12) & 15u), float((w >> 20) & 15u), float(w >> 28)) - 8.0;
    }
}

float dot32(vec4 v[8], vec4 x[8]) {
    vec4 s = v[0] * x[0] + v[1] * x[1] + v[2] * x[2] + v[3] * x[3];
    s += v[4] * x[4] + v[5] * x[5] + v[6] * x[6] + v[7] * x[7];
    return (s.x + s.y) + (s.z + s.w);
}

#if TOKENS_PER_GROUP == 1
// One token: each invocation takes a row of R groups (8R rows per workgroup), so each activation
// load serves R rows.
const uint R = ROWS_PER_LANE;
void main() {
    uint lane = gl_LocalInvocationID.x;
    uint n_groups = (p.n_rows + 7u) / 8u;
    uint n_quads = (p.n_blocks + 3u) / 4u;
    uint codes[R], scales[R];
    for (uint i = 0u; i < R; ++i) {
        // Past the last group: read the last one again (the result is not stored).
        uint g = min(gl_WorkGroupID.x * R + i, n_groups - 1u);
        codes[i] = p.w_offset + g * p.n_blocks * 8u + lane;
        scales[i] = p.w_offset + p.scales_at + g * n_quads * 8u + lane;
    }
    float acc[R];
    for (uint i = 0u; i < R; ++i) acc[i] = 0.0;
    for (uint q = 0u; q < n_quads; ++q) {
        vec4 d[R];
        for (uint i = 0u; i < R; ++i) d[i] = uintBitsToFloat(wdata[scales[i] + q * 8u]);
        for (uint j = 0u; j < 4u; ++j) {
            uint b = q * 4u + j;
            if (b >= p.n_blocks) break;
            vec4 x[8];
            uint xi = p.x_offset + b * 8u;
            for (uint k = 0u; k < 8u; ++k) x[k] = xdata[xi + k];
            for (uint i = 0u; i < R; ++i) {
                vec4 v[8];
                unpack(wdata[codes[i] + b * 8u], v);
                acc[i] += d[i][j] * dot32(v, x);
            }
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
void main() {
    uint lane = gl_LocalInvocationID.x;
    uint group = gl_WorkGroupID.x;
    uint t0 = gl_WorkGroupID.y * NT;
    uint nt = t0 < p.n_tokens ? min(NT, p.n_tokens - t0) : 0u;
    uint n_quads = (p.n_blocks + 3u) / 4u;
    uint codes = p.w_offset + group * p.n_blocks * 8u + lane;
    uint scales = p.w_offset + p.scales_at + group * n_quads * 8u + lane;

    float acc[NT];
    for (uint t = 0u; t < NT; ++t) acc[t] = 0.0;
    for (uint q = 0u; q < n_quads; ++q) {
        vec4 d = uintBitsToFloat(wdata[scales + q * 8u]);
        for (uint j = 0u; j < 4u; ++j) {
            uint b = q * 4u + j;
            if (b >= p.n_blocks) break;
            uvec4 c = wdata[codes + b * 8u];
            // Byte i of the block: value i in its low nibble, value 16 + i in its high one.
            vec4 v[8];
            for (uint k = 0u; k < 4u; ++k) {
                uint w = c[k];
                v[k] = vec4(float(w & 15u), float((w >> 8) & 15u), float((w >> 16) & 15u), float((w >> 24) & 15u)) -
                       8.0;
                v[k + 4u] = vec4(float((w >> 4) & 15u), float((w >> 12) & 15u), float((w >> 20) & 15u),
                                 float(w >> 28)) -
                            8.0;
            }
            for (uint t = 0u; t < NT; ++t) {
                if (t < nt) {
                    uint xi = p.x_offset + (t0 + t) * p.x_stride + b * 8u;
                    vec4 s = v[0] * xdata[xi];
                    for (uint k = 1u; k < 8u; ++k) s += v[k] * xdata[xi + k];
                    acc[t] += d[j] * ((s.x + s.y) + (s.z + s.w));
                }
            }
        }
    }
    uint row = group * 8u + lane;
    if (row < p.n_rows) {
        for (uint t = 0u; t < NT; ++t) {
            if (t < nt) {
                uint yi = p.y_offset + (t0 + t) * p.y_stride + row;
                ydata[yi] = p.accumulate != 0u ? ydata[yi] + acc[t] : acc[t];
            }
        }
    }
}
#endif

// Embedding lookup: out[t] = dequantized row ids[t] of a table in any block format. One invocation
// per 16-value chunk of one token's row.

layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Weights { uint wdata[]; };
layout(std430, binding = 1) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 2) writeonly buffer Out { float outdata[]; };

layout(push_constant) uniform Params {
    uint n_cols;
    uint row_bytes;
    uint w_offset;
    uint n_tokens;
    uint out_offset;
    uint out_stride;
} p;

#include "quant_blocks.glsl"

void main() {
    uint c = gl_GlobalInvocationID.x;
    uint t = gl_GlobalInvocationID.y;
    uint n_chunks = (p.n_cols + 15u) / 16u;
    if (c >= n_chunks || t >= p.n_tokens) return;
    vec4 q[4];
    float a, b;
    load_chunk(p.w_offset + ids[t] * p.row_bytes, c, p.n_cols, q, a, b);
    uint o = p.out_offset + t * p.out_stride + c * 16u;
    for (uint k = 0u; k < 4u; ++k)
        for (uint i = 0u; i < 4u; ++i)
            if (c * 16u + 4u * k + i < p.n_cols) outdata[o + 4u * k + i] = a * q[k][i] + b;
}

#version 450
// Writes n_tokens rows of kv_dim values into a layer's KV cache at positions pos0 ... The cache is a
// buffer of 32-bit words: f16 pairs packed into words (so no 16-bit storage feature is needed), or f32 bits.
#extension GL_GOOGLE_include_directive : require
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Src { float src[]; };
layout(std430, binding = 1) buffer Cache { uint cache[]; };

layout(push_constant) uniform Params {
    uint kv_dim; // even
    uint n_tokens;
    uint pos0;
    uint src_offset;
    uint src_stride;
    uint dst_offset; // values
    uint f16;
} p;

#include "half.glsl"

void store(uint id, uint half_dim) {
    uint t = id / half_dim, i = 2u * (id % half_dim);
    vec2 v = vec2(src[p.src_offset + t * p.src_stride + i], src[p.src_offset + t * p.src_stride + i + 1u]);
    uint dst = p.dst_offset + (p.pos0 + t) * p.kv_dim + i;
    if (p.f16 != 0u) {
        cache[dst >> 1] = half_bits(v.x) | (half_bits(v.y) << 16);
    } else {
        cache[dst] = floatBitsToUint(v.x);
        cache[dst + 1u] = floatBitsToUint(v.y);
    }
}

void main() {
    uint half_dim = p.kv_dim / 2u;
    for (uint id = gl_GlobalInvocationID.x; id < half_dim * p.n_tokens; id += gl_NumWorkGroups.x * 64u) store(id, half_dim);
}

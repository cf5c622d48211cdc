#version 450
// Reads n_tokens rows of kv_dim values at positions pos0 ... of a layer's KV cache (f16 pairs packed
// in words, or f32 bits; see kv_store.comp) into f32 rows `dst_stride` floats apart. The KV shift
// reads the rows it moves out first, so rows that overlap their destination are read before they
// are overwritten.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Cache { uint cache[]; };
layout(std430, binding = 1) buffer Dst { float dst[]; };

layout(push_constant) uniform Params {
    uint kv_dim; // even
    uint n_tokens;
    uint pos0;
    uint src_offset; // values
    uint dst_offset;
    uint dst_stride;
    uint f16;
} p;

void load(uint id, uint half_dim) {
    uint t = id / half_dim, i = 2u * (id % half_dim);
    uint src = p.src_offset + (p.pos0 + t) * p.kv_dim + i;
    vec2 v = p.f16 != 0u ? unpackHalf2x16(cache[src >> 1])
                         : vec2(uintBitsToFloat(cache[src]), uintBitsToFloat(cache[src + 1u]));
    uint at = p.dst_offset + t * p.dst_stride + i;
    dst[at] = v.x;
    dst[at + 1u] = v.y;
}

void main() {
    uint half_dim = p.kv_dim / 2u;
    for (uint id = gl_GlobalInvocationID.x; id < half_dim * p.n_tokens; id += gl_NumWorkGroups.x * 64u) load(id, half_dim);
}

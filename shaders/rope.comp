#version 450
// Rotary position embedding on adjacent pairs (2i, 2i + 1) of the first n_rot values of every head.
// The cos/sin of each pair's angle come from a table the host computes per token with the CPU's own
// formula (linear scaling and dynamic NTK included), so both backends rotate by identical angles.
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer Data { float data[]; };
layout(std430, binding = 1) readonly buffer Table { float table[]; }; // [token][n_rot]: cos, sin, ...

layout(push_constant) uniform Params {
    uint n_heads;
    uint head_dim;
    uint n_rot;
    uint n_tokens;
    uint offset;
    uint stride; // floats between tokens
    uint table_offset;
} p;

void rotate(uint id, uint pairs) {
    uint i = id % pairs;
    uint h = (id / pairs) % p.n_heads;
    uint t = id / (pairs * p.n_heads);
    uint at = p.offset + t * p.stride + h * p.head_dim + 2u * i;
    uint tb = p.table_offset + t * p.n_rot + 2u * i;
    float c = table[tb], s = table[tb + 1u];
    float a = data[at], b = data[at + 1u];
    data[at] = a * c - b * s;
    data[at + 1u] = a * s + b * c;
}

void main() {
    uint pairs = p.n_rot / 2u;
    for (uint id = gl_GlobalInvocationID.x; id < pairs * p.n_heads * p.n_tokens; id += gl_NumWorkGroups.x * 64u)
        rotate(id, pairs);
}

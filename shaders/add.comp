#version 450
// a[i] += b[i]: the residual connection.
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };

layout(push_constant) uniform Params {
    uint n;
    uint a_offset;
    uint b_offset;
} p;

void main() {
    for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 64u) a[p.a_offset + i] += b[p.b_offset + i];
}

#version 450
// gate[i] = silu(gate[i]) * up[i], in place.
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };

layout(push_constant) uniform Params {
    uint n;
    uint gate_offset;
    uint up_offset;
} p;

void main() {
    // A grid-stride loop: large tensors need no more workgroups than the device allows.
    for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 64u) {
        float g = gate[p.gate_offset + i];
        gate[p.gate_offset + i] = g / (1.0 + exp(-g)) * up[p.up_offset + i];
    }
}

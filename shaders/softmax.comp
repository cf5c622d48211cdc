#version 450
// In-place softmax of rows of n values: one workgroup per row, max-subtracted for range safety.
layout(local_size_x = 64) in;

layout(std430, binding = 0) buffer Data { float data[]; };

layout(push_constant) uniform Params {
    uint n;
    uint offset;
    uint stride;
} p;

shared float partial[64];

float reduce(float x, bool is_max) {
    uint tid = gl_LocalInvocationID.x;
    partial[tid] = x;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1) {
        if (tid < s) partial[tid] = is_max ? max(partial[tid], partial[tid + s]) : partial[tid] + partial[tid + s];
        barrier();
    }
    float r = partial[0];
    barrier();
    return r;
}

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint b = p.offset + gl_WorkGroupID.x * p.stride;
    float m = -3.4e38;
    for (uint i = tid; i < p.n; i += 64u) m = max(m, data[b + i]);
    m = reduce(m, true);
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += 64u) {
        float e = exp(data[b + i] - m);
        data[b + i] = e;
        sum += e;
    }
    float inv = 1.0 / reduce(sum, false);
    for (uint i = tid; i < p.n; i += 64u) data[b + i] *= inv;
}

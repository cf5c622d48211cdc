#version 450
// y[t] = x[t] / sqrt(mean(x[t]^2) + eps) * w: one workgroup per token row.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer X { float xdata[]; };
layout(std430, binding = 1) readonly buffer W { float wdata[]; };
layout(std430, binding = 2) writeonly buffer Y { float ydata[]; };

layout(push_constant) uniform Params {
    uint n;
    float eps;
    uint x_offset;
    uint w_offset;
    uint y_offset;
    uint stride; // floats between the rows of x and of y
} p;

shared float partial[64];

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint xb = p.x_offset + gl_WorkGroupID.x * p.stride;
    uint yb = p.y_offset + gl_WorkGroupID.x * p.stride;
    float sum = 0.0;
    for (uint i = tid; i < p.n; i += 64u) sum += xdata[xb + i] * xdata[xb + i];
    partial[tid] = sum;
    barrier();
    for (uint s = 32u; s > 0u; s >>= 1) {
        if (tid < s) partial[tid] += partial[tid + s];
        barrier();
    }
    float scale = 1.0 / sqrt(partial[0] / float(p.n) + p.eps);
    for (uint i = tid; i < p.n; i += 64u) ydata[yb + i] = xdata[xb + i] * scale * wdata[p.w_offset + i];
}

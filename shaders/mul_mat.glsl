// y[t][row] = W[row] . x[t] for a weight matrix stored in one of the GGML block formats, dequantized
// on the fly (fused: the weights are read once per tile of NT tokens and never written out in f32).
// A workgroup computes RPW rows; TPR invocations share each row (splitting its 16-value chunks) and
// reduce through shared memory. Both are specialization constants, so one shader serves GPUs
// (many invocations per row, coalesced reads) and CPU rasterizers (one invocation per row, no
// barrier). Workgroup y covers NT tokens: a decode step (one token) and a prompt batch of any size
// use the same code, with every bound checked.

layout(local_size_x_id = 0, local_size_y_id = 1) in;
layout(constant_id = 0) const uint TPR = 32;
layout(constant_id = 1) const uint RPW = 2;
// Tokens per workgroup: 8 for prompt batches (weights dequantized once per 8 tokens), 1 for the
// matrix-vector kernels of a decode step (mat_vec_*.comp), where a token loop only costs.
#ifndef TOKENS_PER_GROUP
#define TOKENS_PER_GROUP 8
#endif
const uint NT = TOKENS_PER_GROUP;

layout(std430, binding = 0) readonly buffer Weights { uint wdata[]; };
layout(std430, binding = 1) readonly buffer X { float xdata[]; };
layout(std430, binding = 2) buffer Y { float ydata[]; };

layout(push_constant) uniform Params {
    uint n_cols;
    uint n_rows;
    uint n_tokens;
    uint row_bytes;
    uint w_offset; // bytes
    uint x_offset; // floats
    uint x_stride;
    uint y_offset;
    uint y_stride;
    uint accumulate; // 1: y += W x (fuses the residual add)
} p;

#include "quant_blocks.glsl"

// Sized for the largest split (TPR * RPW <= 256, checked on the host): some drivers mishandle
// shared arrays sized by specialization constants.
shared float partial[256 * NT];

vec4 load_x4(uint index, uint col) {
#if defined(CHUNK_MAY_BE_PARTIAL)
    if (col + 4u > p.n_cols) {
        vec4 v = vec4(0.0);
        for (uint i = 0u; i < 4u; ++i)
            if (col + i < p.n_cols) v[i] = xdata[index + i];
        return v;
    }
#endif
    return vec4(xdata[index], xdata[index + 1u], xdata[index + 2u], xdata[index + 3u]);
}

void main() {
    uint tid = gl_LocalInvocationID.x;
    uint row = gl_WorkGroupID.x * RPW + gl_LocalInvocationID.y;
    uint t0 = gl_WorkGroupID.y * NT;
    uint nt = t0 < p.n_tokens ? min(NT, p.n_tokens - t0) : 0u;
    float acc[NT];
    for (uint t = 0u; t < NT; ++t) acc[t] = 0.0;

    if (row < p.n_rows) {
        uint rb = p.w_offset + row * p.row_bytes;
        uint n_chunks = (p.n_cols + 15u) / 16u;
        for (uint c = tid; c < n_chunks; c += TPR) {
            vec4 q[4];
            float a, b;
            load_chunk(rb, c, p.n_cols, q, a, b);
            for (uint t = 0u; t < NT; ++t) {
                if (t < nt) {
                    uint xi = p.x_offset + (t0 + t) * p.x_stride + c * 16u;
                    vec4 dq = vec4(0.0), sx = vec4(0.0);
                    for (uint k = 0u; k < 4u; ++k) {
                        vec4 xv = load_x4(xi + 4u * k, c * 16u + 4u * k);
                        dq += q[k] * xv;
                        sx += xv;
                    }
                    acc[t] += a * (dq.x + dq.y + dq.z + dq.w) + b * (sx.x + sx.y + sx.z + sx.w);
                }
            }
        }
    }

    if (TPR > 1u) {
        uint base = (gl_LocalInvocationID.y * TPR + tid) * NT;
        for (uint t = 0u; t < NT; ++t) partial[base + t] = acc[t];
        barrier();
        for (uint stride = TPR / 2u; stride > 0u; stride >>= 1) {
            if (tid < stride)
                for (uint t = 0u; t < NT; ++t) partial[base + t] += partial[base + stride * NT + t];
            barrier();
        }
        for (uint t = 0u; t < NT; ++t) acc[t] = partial[base + t];
    }
    if (tid == 0u && row < p.n_rows) {
        for (uint t = 0u; t < NT; ++t) {
            if (t < nt) {
                uint yi = p.y_offset + (t0 + t) * p.y_stride + row;
                ydata[yi] = p.accumulate != 0u ? ydata[yi] + acc[t] : acc[t];
            }
        }
    }
}

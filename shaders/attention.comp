#version 450
#extension GL_GOOGLE_include_directive : require
// Causal grouped-query attention over a layer's KV cache: query head h of token t (at position
// pos0 + t) attends to positions 0 .. pos0 + t of KV head h / (n_head / n_head_kv). One workgroup per
// (head, token). Two passes over the positions in tiles of 64: the first finds the softmax maximum
// and sum, the second accumulates the weighted values, so any context length works without a score
// buffer. Serves decode (one token) and prefill (a batch) alike. With an f16 cache the query and the
// normalized weights are rounded to f16 as the CPU backend (and the reference engine) does.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer Q { float qdata[]; };
layout(std430, binding = 1) readonly buffer K { uint kdata[]; };
layout(std430, binding = 2) readonly buffer V { uint vdata[]; };
layout(std430, binding = 3) writeonly buffer O { float odata[]; };

layout(push_constant) uniform Params {
    uint n_head;
    uint n_head_kv;
    uint head_dim; // even, at most 256
    uint pos0;
    uint q_offset;
    uint q_stride;
    uint o_offset;
    uint o_stride;
    uint k_offset; // values
    uint v_offset;
    uint kv_dim;
    uint f16;
    float scale;
} p;

#include "half.glsl"

const uint TILE = 64u;
shared float qs[256];
shared float weights[TILE];
shared float reduce_buf[TILE];

vec2 k_pair(uint at) {
    if (p.f16 != 0u) return unpackHalf2x16(kdata[at >> 1]);
    return vec2(uintBitsToFloat(kdata[at]), uintBitsToFloat(kdata[at + 1u]));
}

float v_value(uint at) {
    if (p.f16 != 0u) return unpackHalf2x16(vdata[at >> 1])[at & 1u];
    return uintBitsToFloat(vdata[at]);
}

// Every invocation contributes x; all get the maximum (is_max) or the sum.
float workgroup_reduce(float x, bool is_max) {
    uint tid = gl_LocalInvocationID.x;
    reduce_buf[tid] = x;
    barrier();
    for (uint s = TILE / 2u; s > 0u; s >>= 1) {
        if (tid < s) {
            float o = reduce_buf[tid + s];
            reduce_buf[tid] = is_max ? max(reduce_buf[tid], o) : reduce_buf[tid] + o;
        }
        barrier();
    }
    float r = reduce_buf[0];
    barrier();
    return r;
}

float score(uint pos, uint kv_base) {
    uint kb = p.k_offset + pos * p.kv_dim + kv_base;
    float d = 0.0;
    for (uint i = 0u; i < p.head_dim; i += 2u) {
        vec2 k = k_pair(kb + i);
        d += qs[i] * k.x + qs[i + 1u] * k.y;
    }
    return d * p.scale;
}

void main() {
    uint h = gl_WorkGroupID.x, t = gl_WorkGroupID.y, tid = gl_LocalInvocationID.x;
    uint hd = p.head_dim;
    uint kv_base = (h / (p.n_head / p.n_head_kv)) * hd;
    uint qb = p.q_offset + t * p.q_stride + h * hd;
    for (uint i = tid; i < hd; i += TILE) qs[i] = p.f16 != 0u ? round_to_half(qdata[qb + i]) : qdata[qb + i];
    barrier();
    uint visible = p.pos0 + t + 1u;

    // Pass 1: each invocation keeps a running maximum and sum over its positions; then they merge.
    float m = -1e30, l = 0.0;
    for (uint pos = tid; pos < visible; pos += TILE) {
        float s = score(pos, kv_base);
        float new_m = max(m, s);
        l = l * exp(m - new_m) + exp(s - new_m);
        m = new_m;
    }
    float total_max = workgroup_reduce(m, true);
    float inv_sum = 1.0 / workgroup_reduce(l * exp(m - total_max), false);

    // Pass 2: weights for a tile of positions, then each invocation sums its output values over them.
    float o[4] = float[4](0.0, 0.0, 0.0, 0.0);
    for (uint base = 0u; base < visible; base += TILE) {
        uint pos = base + tid;
        float w = 0.0;
        if (pos < visible) {
            w = exp(score(pos, kv_base) - total_max) * inv_sum;
            if (p.f16 != 0u) w = round_to_half(w);
        }
        weights[tid] = w;
        barrier();
        uint n_here = min(TILE, visible - base);
        for (uint j = 0u; j < 4u; ++j) {
            uint d = tid + j * TILE;
            if (d < hd) {
                uint vb = p.v_offset + base * p.kv_dim + kv_base + d;
                float acc = o[j];
                for (uint q = 0u; q < n_here; ++q) acc += weights[q] * v_value(vb + q * p.kv_dim);
                o[j] = acc;
            }
        }
        barrier();
    }
    uint ob = p.o_offset + t * p.o_stride + h * hd;
    for (uint j = 0u; j < 4u; ++j) {
        uint d = tid + j * TILE;
        if (d < hd) odata[ob + d] = o[j];
    }
}

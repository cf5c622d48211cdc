#include "engine/model/cpu_layer_backend.h"

#include "engine/cpu/thread_pool.h"
#include "engine/cpu/vector_ops.h"
#include "engine/model/kv_shift.h"
#include "engine/model/rms_norm.h"

#include <algorithm>

namespace fireside {

CpuLayerBackend::CpuLayerBackend(const ModelDesc& desc, int64_t n_ctx, BlockType kv_type, ThreadPool& pool)
    : desc_(desc), pool_(pool), rope_(rope_params_for(desc, n_ctx)),
      cache_(desc.n_layer, n_ctx, desc.n_head_kv, desc.head_dim, kv_type), shape_{desc.n_head, desc.n_head_kv,
                                                                                  desc.head_dim} {}

void CpuLayerBackend::reserve(int64_t n_tokens) {
    const auto n = static_cast<size_t>(n_tokens);
    const auto e = static_cast<size_t>(desc_.n_embd);
    const auto q = static_cast<size_t>(desc_.n_head * desc_.head_dim);
    const auto kv = static_cast<size_t>(desc_.n_head_kv * desc_.head_dim);
    const auto ff = static_cast<size_t>(desc_.n_ff);
    if (norm_.size() >= n * e) return;
    norm_.resize(n * e);
    q_.resize(n * q);
    k_.resize(n * kv);
    v_.resize(n * kv);
    attn_.resize(n * q);
    proj_.resize(n * e);
    gate_.resize(n * ff);
    up_.resize(n * ff);
    rope_table_.resize(n * static_cast<size_t>(desc_.n_rot));
}

void CpuLayerBackend::run_layer(int64_t layer, const LayerWeights& w, BatchState& batch) {
    const int64_t n = batch.n_tokens, e = desc_.n_embd, hd = desc_.head_dim;
    const int64_t q_dim = desc_.n_head * hd, kv_dim = desc_.n_head_kv * hd;
    reserve(n);
    if (table_pos0_ != batch.pos0 || table_n_ != n) {
        for (int64_t t = 0; t < n; ++t)
            rope_angles(rope_, batch.pos0 + t, rope_table_.data() + t * desc_.n_rot);
        table_pos0_ = batch.pos0;
        table_n_ = n;
    }

    for (int64_t t = 0; t < n; ++t)
        rms_norm(batch.hidden + t * e, w.attn_norm.data(), norm_.data() + t * e, e, desc_.rms_eps);
    // Q, K and V read the same normed rows: convert them once and share one pass over the threads.
    const MatmulJob qkv[] = {{&w.wq, q_.data()}, {&w.wk, k_.data()}, {&w.wv, v_.data()}};
    matmul_group(qkv, 3, norm_.data(), n, pool_, matmul_scratch_);
    for (int64_t t = 0; t < n; ++t) {
        const float* table = rope_table_.data() + t * desc_.n_rot;
        apply_rope(q_.data() + t * q_dim, desc_.n_head, hd, desc_.n_rot, table);
        apply_rope(k_.data() + t * kv_dim, desc_.n_head_kv, hd, desc_.n_rot, table);
    }
    cache_.store(layer, batch.pos0, n, k_.data(), v_.data());
    attention(q_.data(), cache_, layer, shape_, batch.pos0, n, attn_.data(), pool_, attention_scratch_);
    matmul(w.wo, attn_.data(), n, proj_.data(), pool_, matmul_scratch_);
    for (int64_t i = 0; i < n * e; ++i) batch.hidden[i] += proj_[static_cast<size_t>(i)];

    for (int64_t t = 0; t < n; ++t)
        rms_norm(batch.hidden + t * e, w.ffn_norm.data(), norm_.data() + t * e, e, desc_.rms_eps);
    const MatmulJob gate_up[] = {{&w.w1, gate_.data()}, {&w.w3, up_.data()}};
    matmul_group(gate_up, 2, norm_.data(), n, pool_, matmul_scratch_);
    // On both threads: alone on the calling thread it left the others idle for 1% of a small model's
    // generation time.
    constexpr int64_t kSwigluChunk = 4096;
    const int64_t ff = n * desc_.n_ff;
    pool_.parallel_for((ff + kSwigluChunk - 1) / kSwigluChunk, [&](int64_t c, int) {
        const int64_t first = c * kSwigluChunk;
        swiglu(gate_.data() + first, up_.data() + first, std::min(kSwigluChunk, ff - first));
    });
    matmul(w.w2, gate_.data(), n, proj_.data(), pool_, matmul_scratch_);
    for (int64_t i = 0; i < n * e; ++i) batch.hidden[i] += proj_[static_cast<size_t>(i)];
}

void CpuLayerBackend::shift_kv(int64_t begin, int64_t end, int64_t delta) {
    shift_kv_positions(cache_, rope_, begin, end, delta);
}

} // namespace fireside

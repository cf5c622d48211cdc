#include "engine/model/attention.h"

#include "engine/cpu/f16_convert.h"
#include "engine/cpu/thread_pool.h"
#include "engine/cpu/vector_ops.h"
#include "engine/model/kv_cache.h"

#include <algorithm>
#include <cmath>

namespace fireside {

namespace {

// The queries of one KV head's task in evaluation order (token by token, the group's heads within
// each), taken kMaxAttentionQueries at a time so that every key and value is read once per group.
template <class T>
void attend_head(const float* q, const KvCache& cache, int64_t layer, const AttentionShape& shape,
                 int64_t pos0, int64_t n_tokens, int64_t kvh, float* out, std::vector<float>& scratch) {
    const int64_t hd = shape.head_dim;
    const int64_t group = shape.n_head / shape.n_head_kv;
    const int64_t q_stride = shape.n_head * hd;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    const bool f16 = cache.type() == BlockType::F16;
    const int64_t n_pos = pos0 + n_tokens;
    const size_t need = static_cast<size_t>(kMaxAttentionQueries * (2 * hd + n_pos) + std::max(hd, n_pos));
    if (scratch.size() < need) scratch.resize(need);
    float* queries = scratch.data();
    float* outputs = queries + kMaxAttentionQueries * hd;
    float* scores = outputs + kMaxAttentionQueries * hd;
    auto* half = reinterpret_cast<uint16_t*>(scores + kMaxAttentionQueries * n_pos);
    const auto* keys = reinterpret_cast<const T*>(cache.keys(layer, kvh));
    const auto* values = reinterpret_cast<const T*>(cache.values(layer, kvh));

    const int64_t n_queries = n_tokens * group;
    for (int64_t first = 0; first < n_queries; first += kMaxAttentionQueries) {
        const int n_q = static_cast<int>(std::min<int64_t>(kMaxAttentionQueries, n_queries - first));
        const auto token_of = [&](int j) { return (first + j) / group; };
        const auto head_of = [&](int j) { return kvh * group + (first + j) % group; };
        for (int j = 0; j < n_q; ++j) {
            const float* qv = q + token_of(j) * q_stride + head_of(j) * hd;
            float* dst = queries + j * hd;
            // With an f16 cache the query and the attention weights are rounded to f16 too, as the
            // reference engine's f16 matrix products do; it keeps near-tied logits on its side.
            if (f16) {
                f32_to_f16_row(qv, half, hd);
                f16_to_f32_row(half, dst, hd);
            } else {
                std::copy(qv, qv + hd, dst);
            }
        }
        // Scores up to the last query's horizon; earlier tokens' extra positions get weight 0.
        const int64_t horizon = pos0 + token_of(n_q - 1) + 1;
        key_scores(queries, hd, n_q, keys, horizon, hd, scores);
        for (int j = 0; j < n_q; ++j) {
            float* s = scores + j * horizon;
            const int64_t visible = pos0 + token_of(j) + 1;
            softmax(s, visible, scale);
            if (f16) {
                f32_to_f16_row(s, half, visible);
                f16_to_f32_row(half, s, visible);
            }
            std::fill(s + visible, s + horizon, 0.0f);
        }
        weighted_values(scores, n_q, values, horizon, hd, outputs, hd);
        for (int j = 0; j < n_q; ++j)
            std::copy(outputs + j * hd, outputs + (j + 1) * hd,
                      out + token_of(j) * q_stride + head_of(j) * hd);
    }
}

} // namespace

void attention(const float* q, const KvCache& cache, int64_t layer, const AttentionShape& shape, int64_t pos0,
               int64_t n_tokens, float* out, ThreadPool& pool, AttentionScratch& scratch) {
    scratch.per_thread.resize(static_cast<size_t>(pool.n_threads()));
    // One task per KV head: its keys and values serve every query head of the group and every token.
    pool.parallel_for(shape.n_head_kv, [&](int64_t kvh, int thread) {
        auto& mine = scratch.per_thread[static_cast<size_t>(thread)];
        if (cache.type() == BlockType::F16)
            attend_head<uint16_t>(q, cache, layer, shape, pos0, n_tokens, kvh, out, mine);
        else
            attend_head<float>(q, cache, layer, shape, pos0, n_tokens, kvh, out, mine);
    });
}

} // namespace fireside

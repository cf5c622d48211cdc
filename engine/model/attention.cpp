#include "engine/model/attention.h"

#include "engine/cpu/f16_convert.h"
#include "engine/cpu/thread_pool.h"
#include "engine/cpu/vector_ops.h"
#include "engine/model/kv_cache.h"

#include <algorithm>
#include <cmath>

namespace fireside {

void attention(const float* q, const KvCache& cache, int64_t layer, const AttentionShape& shape, int64_t pos0,
               int64_t n_tokens, float* out, ThreadPool& pool, AttentionScratch& scratch) {
    const int64_t hd = shape.head_dim;
    const int64_t group = shape.n_head / shape.n_head_kv;
    const int64_t n_pos = pos0 + n_tokens;
    const int64_t q_stride = shape.n_head * hd;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    scratch.per_thread.resize(static_cast<size_t>(pool.n_threads()));
    const size_t need = static_cast<size_t>(2 * n_pos * hd + 2 * n_pos + 2 * hd);
    for (auto& s : scratch.per_thread)
        if (s.size() < need) s.resize(need);

    // One task per KV head: its keys and values are converted once and serve every query head of the
    // group and every token of the batch. Where an f16 row would serve fewer than three queries
    // (generation without large groups) the dot products read it as it is stored instead.
    const bool direct = cache.type() == BlockType::F16 && n_tokens * group < 3;
    const size_t row = cache.row_bytes();
    pool.parallel_for(shape.n_head_kv, [&](int64_t kvh, int thread) {
        float* k = scratch.per_thread[static_cast<size_t>(thread)].data();
        float* v = k + n_pos * hd;
        float* scores = v + n_pos * hd;
        float* query = scores + n_pos;
        auto* half_row = reinterpret_cast<uint16_t*>(query + hd);
        // Keys and values as the dot products read them: the cache's f16 rows, or the converted ones.
        const auto* k16 = reinterpret_cast<const uint16_t*>(cache.keys(layer, kvh, hd));
        const auto* v16 = reinterpret_cast<const uint16_t*>(cache.values(layer, kvh, hd));
        const auto f16_stride = static_cast<int64_t>(row / sizeof(uint16_t));
        if (!direct) cache.read_head(layer, kvh, hd, n_pos, k, v);
        for (int64_t h = kvh * group; h < (kvh + 1) * group; ++h) {
            for (int64_t t = 0; t < n_tokens; ++t) {
                // With an f16 cache the query and the attention weights are rounded to f16 too, as the
                // reference engine's f16 matrix products do; it keeps near-tied logits on its side.
                const float* qv = q + t * q_stride + h * hd;
                if (cache.type() == BlockType::F16) {
                    f32_to_f16_row(qv, half_row, hd);
                    f16_to_f32_row(half_row, query, hd);
                    qv = query;
                }
                const int64_t visible = pos0 + t + 1;
                if (direct)
                    dot_rows(qv, k16, f16_stride, visible, hd, scores);
                else
                    dot_rows(qv, k, hd, visible, hd, scores);
                softmax(scores, visible, scale);
                if (cache.type() == BlockType::F16) {
                    for (int64_t p = 0; p < visible; p += hd) {
                        const int64_t c = std::min(hd, visible - p);
                        f32_to_f16_row(scores + p, half_row, c);
                        f16_to_f32_row(half_row, scores + p, c);
                    }
                }
                float* o = out + t * q_stride + h * hd;
                if (direct)
                    weighted_rows(scores, v16, f16_stride, visible, hd, o);
                else
                    weighted_rows(scores, v, hd, visible, hd, o);
            }
        }
    });
}

} // namespace fireside

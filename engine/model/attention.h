#pragma once

#include <cstdint>
#include <vector>

namespace fireside {

class KvCache;
class ThreadPool;

struct AttentionShape {
    int64_t n_head = 0;
    int64_t n_head_kv = 0;
    int64_t head_dim = 0;
};

// Per-thread memory for attention: a group of queries, their scores and their outputs.
struct AttentionScratch {
    std::vector<std::vector<float>> per_thread;
};

// Causal grouped-query attention of n_tokens queries at positions pos0 .. pos0 + n_tokens - 1 over
// the layer's cache (which must already hold those positions): query head h reads KV head
// h / (n_head / n_head_kv). q and out are [n_tokens][n_head * head_dim].
void attention(const float* q, const KvCache& cache, int64_t layer, const AttentionShape& shape, int64_t pos0,
               int64_t n_tokens, float* out, ThreadPool& pool, AttentionScratch& scratch);

} // namespace fireside

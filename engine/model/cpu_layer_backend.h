#pragma once

#include "engine/cpu/matmul.h"
#include "engine/model/attention.h"
#include "engine/model/kv_cache.h"
#include "engine/model/layer_backend.h"
#include "engine/model/model_desc.h"
#include "engine/model/rope.h"

#include <vector>

namespace fireside {

class ThreadPool;

// The transformer layer on the CPU: RMSNorm, Q/K/V projections, RoPE, causal grouped-query attention
// over an f16 KV cache, output projection and residual, then RMSNorm, SwiGLU feed-forward and residual.
class CpuLayerBackend final : public LayerBackend {
public:
    CpuLayerBackend(const ModelDesc& desc, int64_t n_ctx, BlockType kv_type, ThreadPool& pool);
    const char* name() const override { return "cpu"; }
    void run_layer(int64_t layer, const LayerWeights& weights, BatchState& batch) override;
    bool can_shift_kv() const override { return true; }
    void shift_kv(int64_t begin, int64_t end, int64_t delta) override;

    const KvCache& cache() const { return cache_; }

private:
    void reserve(int64_t n_tokens);

    const ModelDesc& desc_;
    ThreadPool& pool_;
    RopeParams rope_;
    KvCache cache_;
    AttentionShape shape_;
    MatmulScratch matmul_scratch_;
    AttentionScratch attention_scratch_;
    std::vector<float> norm_, q_, k_, v_, attn_, proj_, gate_, up_, rope_table_;
    int64_t table_pos0_ = -1, table_n_ = 0; // the positions rope_table_ holds
};

} // namespace fireside

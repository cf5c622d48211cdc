#pragma once

#include "engine/cpu/matmul.h"
#include "engine/cpu/thread_pool.h"
#include "engine/format/model_file.h"
#include "engine/model/cpu_layer_backend.h"
#include "engine/model/layer_backend.h"
#include "engine/model/llama_weights.h"
#include "engine/model/model_desc.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace fireside {

struct LlamaModelOptions {
    int64_t n_ctx = 512;
    int n_threads = 0; // 0: one per physical core
    BlockType kv_type = BlockType::F16;
    int64_t max_batch = 512; // tokens evaluated per pass; longer batches are split
};

// A batch of tokens to evaluate at positions pos0, pos0 + 1, ...
struct Batch {
    std::span<const int32_t> tokens;
    int64_t pos0 = 0;
    bool all_logits = false; // logits for every position, or only for the last
};

// A LLaMA model ready to evaluate: weights bound in the file's mapping, a KV cache for n_ctx
// positions, and a layer plan saying which backend runs each layer (all on the CPU for now).
class LlamaModel {
public:
    LlamaModel(ModelFile file, ModelDesc desc, const LlamaModelOptions& options = {});

    const ModelDesc& desc() const { return desc_; }
    const ModelFile& file() const { return file_; }
    int64_t n_ctx() const { return options_.n_ctx; }
    int n_threads() const { return pool_.n_threads(); }

    // Evaluates the batch (its positions must follow what the cache holds: later positions are
    // overwritten, earlier ones kept) and returns the logits: n_vocab values per returned position,
    // every position when all_logits is set, else the last one only.
    std::vector<float> forward(const Batch& batch);

    // Moves the cached positions [begin, end) by delta in every layer's KV cache (keys re-rotated), so
    // the session can drop old turns from a full context and keep evaluating after the kept ones.
    void shift_kv(int64_t begin, int64_t end, int64_t delta);

    // The bytes of weights read for one generated token (every matrix once, plus one embedding row).
    uint64_t weight_bytes_per_token() const;

private:
    void forward_chunk(std::span<const int32_t> tokens, int64_t pos0, bool all_logits, float* logits);

    ModelFile file_;
    ModelDesc desc_;
    LlamaModelOptions options_;
    ThreadPool pool_;
    LlamaWeights weights_;
    std::unique_ptr<CpuLayerBackend> cpu_;
    LayerPlan plan_;
    MatmulScratch output_scratch_;
    std::vector<float> hidden_, normed_;
};

} // namespace fireside

#pragma once

#include "engine/cpu/matmul.h"
#include "engine/cpu/packed_weights.h"
#include "engine/cpu/thread_pool.h"
#include "engine/format/model_file.h"
#include "engine/model/cpu_layer_backend.h"
#include "engine/model/layer_backend.h"
#include "engine/model/llama_weights.h"
#include "engine/model/model_desc.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fireside {

namespace vk {
class VulkanLayerBackend;
}

// "GPU layers" as users give them: N puts the last N transformer layers on the GPU and N = n_layer + 1
// the output norm and matrix too.
inline constexpr int64_t kAllGpuLayers = -1;  // every layer and the output
inline constexpr int64_t kAutoGpuLayers = -2; // as many as the device's memory plan allows

struct LlamaModelOptions {
    int64_t n_ctx = 512;
    int n_threads = 0; // 0: one per physical core
    BlockType kv_type = BlockType::F16;
    int64_t max_batch = 512; // tokens evaluated per pass; longer batches are split

    int64_t n_gpu_layers = 0;              // 0: CPU only; N, kAllGpuLayers or kAutoGpuLayers
    std::optional<std::string> gpu_device; // index or part of a name; default: the best device
    bool gpu_validation = false;           // Khronos validation layer (tests)
    // Called as weights upload to the GPU (bytes done, bytes total); returning false cancels.
    std::function<bool(uint64_t, uint64_t)> gpu_progress;
    // Copy the CPU layers' weights into memory of their own, repacked for this machine's packed
    // kernels (PackedWeights), when some have one and the copy fits in the memory available: faster
    // generation and prompts for as many bytes of memory as those weights take in the file.
    bool pack_weights = true;
    // Called as the copy is made (bytes done, bytes total); returning false cancels.
    std::function<bool(uint64_t, uint64_t)> pack_progress;
};

// A batch of tokens to evaluate at positions pos0, pos0 + 1, ...
struct Batch {
    std::span<const int32_t> tokens;
    int64_t pos0 = 0;
    bool all_logits = false; // logits for every position, or only for the last
};

// A LLaMA model ready to evaluate: weights bound in the file's mapping, a KV cache for n_ctx
// positions, and a layer plan saying which backend runs each layer: the CPU, or for the last
// n_gpu_layers a Vulkan device. If the GPU fails mid-run (device loss, allocation failure), forward()
// drops it, rebuilds the GPU layers' cache on the CPU from the tokens it has seen and carries on there;
// the reason stays in gpu_failure().
class LlamaModel {
public:
    LlamaModel(ModelFile file, ModelDesc desc, const LlamaModelOptions& options = {});
    ~LlamaModel();

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
    // Returns false, changing nothing, when a backend in use cannot move its cache (the caller then
    // evaluates the kept tokens again). If the GPU fails while moving its cache, the model falls back
    // to the CPU with the cache rebuilt for the positions before min(begin, begin + delta), and returns
    // false too.
    bool shift_kv(int64_t begin, int64_t end, int64_t delta);

    // The bytes of weights read for one generated token (every matrix once, plus one embedding row).
    uint64_t weight_bytes_per_token() const;
    // Where the CPU reads its weights: the packed copy when there is one, else the file's mapping.
    std::span<const std::byte> cpu_weight_memory() const;
    bool weights_packed() const { return packed_ != nullptr; }

    // Layers (0 .. n_layer + 1) running on the GPU now: 0 without one, or after a GPU failure.
    int64_t n_gpu_layers() const;
    vk::VulkanLayerBackend* gpu() { return gpu_.get(); }
    // The name of the GPU device, empty when everything runs on the CPU.
    std::string gpu_device_name() const;
    const std::string& gpu_failure() const { return gpu_failure_; }

private:
    void plan_layers();
    void pack_cpu_weights();
    void run_chunks(std::span<const int32_t> tokens, int64_t pos0, bool all_logits, float* logits);
    void forward_chunk(std::span<const int32_t> tokens, int64_t pos0, bool all_logits, float* logits);

    ModelFile file_;
    ModelDesc desc_;
    LlamaModelOptions options_;
    ThreadPool pool_;
    LlamaWeights weights_;
    std::unique_ptr<PackedWeights> packed_; // the CPU layers' weights, when copied (pack_weights)
    std::unique_ptr<CpuLayerBackend> cpu_;
    std::unique_ptr<vk::VulkanLayerBackend> gpu_;
    LayerPlan plan_;
    MatmulScratch output_scratch_;
    std::vector<float> hidden_, normed_;
    std::vector<int32_t> history_; // the token at each cached position: what a CPU fallback re-evaluates
    std::string gpu_failure_;
};

} // namespace fireside

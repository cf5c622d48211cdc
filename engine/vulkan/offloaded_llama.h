#pragma once

#include "engine/cpu/matmul.h"
#include "engine/cpu/thread_pool.h"
#include "engine/format/model_file.h"
#include "engine/model/cpu_layer_backend.h"
#include "engine/model/llama_model.h"
#include "engine/model/llama_weights.h"
#include "engine/model/model_desc.h"
#include "engine/vulkan/vulkan_layer_backend.h"

#include <memory>
#include <string>
#include <vector>

namespace fireside::vk {

// "GPU layers" as the CLI and the UI give it.
inline constexpr int64_t kAllGpuLayers = -1;  // every layer and the output
inline constexpr int64_t kAutoGpuLayers = -2; // as many as the device's memory plan allows

struct OffloadOptions {
    LlamaModelOptions model;
    int64_t n_gpu_layers = kAllGpuLayers;
    VulkanBackendOptions vulkan;
};

// A LLaMA model whose last N layers run on a Vulkan device and the rest on the CPU backend: the same
// forward() contract as LlamaModel, built from the same pieces (weights binding, CPU layer backend,
// the LayerBackend seam). If the GPU fails mid-run (device loss, allocation failure), forward()
// drops it, re-evaluates the tokens the GPU layers had cached on the CPU and carries on there; the
// reason stays in gpu_failure().
class OffloadedLlama {
public:
    OffloadedLlama(ModelFile file, ModelDesc desc, const OffloadOptions& options = {});

    const ModelDesc& desc() const { return desc_; }
    std::vector<float> forward(const Batch& batch);

    int64_t n_gpu_layers() const { return n_gpu_layers_; }
    VulkanLayerBackend* gpu() { return gpu_.get(); }
    const std::string& gpu_failure() const { return gpu_failure_; }

private:
    void forward_chunk(std::span<const int32_t> tokens, int64_t pos0, bool all_logits, float* logits);
    void plan_layers();

    ModelFile file_;
    ModelDesc desc_;
    LlamaModelOptions options_;
    ThreadPool pool_;
    LlamaWeights weights_;
    std::unique_ptr<CpuLayerBackend> cpu_;
    std::unique_ptr<VulkanLayerBackend> gpu_;
    int64_t n_gpu_layers_ = 0;
    LayerPlan plan_;
    MatmulScratch output_scratch_;
    std::vector<float> hidden_, normed_;
    std::vector<int32_t> history_; // the tokens at positions 0 .. : what a CPU fallback re-evaluates
    std::string gpu_failure_;
};

// Resolves -1 (all), -2 (auto: the largest N the device's memory plan allows) or N into 0 .. n_layer + 1.
int64_t resolve_gpu_layers(int64_t requested, const ModelDesc& desc, const LlamaWeights& weights,
                           int64_t n_ctx, const VulkanBackendOptions& options);

} // namespace fireside::vk

#pragma once

#include "engine/model/llama_model.h"
#include "engine/model/model_desc.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace fireside {

// Everything needed to open a model for chatting.
struct LoadOptions {
    std::filesystem::path path;
    ModelOverrides overrides; // n_head_kv (or llama.cpp's gqa) is usually inferred from the weights
    // Context size in tokens. 0: 4096, capped by the model's training context unless RoPE scaling is
    // set (a model evaluated past the length it was trained on degrades badly without scaling).
    int64_t n_ctx = 0;
    int n_threads = 0;        // 0: one per physical core
    int64_t gpu_layers = 0;   // the last N layers on the GPU; kAllGpuLayers (-1), kAutoGpuLayers (-2)
    std::string device;       // the Vulkan device (index or part of its name); empty: the default
    bool pack_weights = true; // copy the CPU layers' weights packed for the kernels (LlamaModelOptions)
};

// Called with the fraction done (0 .. 1), from the loading thread.
using LoadProgress = std::function<void(double fraction)>;

// The context size a load with these options gets for a model described by `desc`.
int64_t effective_context_size(const ModelDesc& desc, const LoadOptions& options);

// Opens, describes and builds the model. Progress comes from reading the mapped tensor data in file
// order: that faults every page into the page cache, so the first tokens do not stall on disk reads
// and a 40 GB file shows real progress. `cancel` is checked between chunks; when it is set the load
// stops and throws Cancelled. Errors throw Error naming the file and the problem.
std::unique_ptr<LlamaModel> load_model(const LoadOptions& options, const LoadProgress& progress = {},
                                       const std::atomic<bool>* cancel = nullptr);

} // namespace fireside

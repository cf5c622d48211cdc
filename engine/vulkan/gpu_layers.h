#pragma once

#include "engine/model/llama_weights.h"
#include "engine/model/model_desc.h"
#include "engine/vulkan/vulkan_layer_backend.h"

#include <cstdint>

namespace fireside::vk {

// Resolves the GPU layers a user asked for — N, kAllGpuLayers (-1) or kAutoGpuLayers (-2: the largest
// N the device's memory plan allows; 0 without Vulkan, or when the only device is a software
// rasterizer that was not named) — into 0 .. n_layer + 1.
int64_t resolve_gpu_layers(int64_t requested, const ModelDesc& desc, const LlamaWeights& weights,
                           int64_t n_ctx, const VulkanBackendOptions& options);

} // namespace fireside::vk

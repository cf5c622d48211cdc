#include "engine/vulkan/gpu_layers.h"

#include "engine/core/error.h"
#include "engine/model/llama_model.h"
#include "engine/vulkan/gpu_memory_plan.h"
#include "engine/vulkan/instance.h"

#include <algorithm>
#include <fmt/format.h>
#include <optional>

namespace fireside::vk {

int64_t resolve_gpu_layers(int64_t requested, const ModelDesc& desc, const LlamaWeights& weights,
                           int64_t n_ctx, const VulkanBackendOptions& options) {
    if (requested == kAllGpuLayers) return desc.n_layer + 1;
    if (requested == kAutoGpuLayers) {
        // "As many as fit" is none without a usable GPU, and none on a software rasterizer unless it
        // was asked for by name: it runs the shaders on the CPU, slower than the CPU backend itself.
        std::optional<Instance> instance;
        try {
            instance.emplace();
            const DeviceInfo& info = instance->devices().at(instance->choose(options.device));
            if (info.kind == DeviceKind::Software && !options.device) return 0;
            const GpuMemoryPlan plan = plan_gpu_memory(desc, weights, n_ctx, options.max_batch,
                                                       options.kv_type, uses_planes(info, options));
            return plan.max_layers_within(usable_device_memory(info));
        } catch (const Error&) {
            if (options.device) throw; // a device the user named must exist
            return 0;
        }
    }
    if (requested < 0)
        throw Error(fmt::format("GPU layers {} is invalid: use 0 .. N, -1 (all) or auto", requested));
    return std::min(requested, desc.n_layer + 1);
}

} // namespace fireside::vk

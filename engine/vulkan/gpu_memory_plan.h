#pragma once

#include "engine/model/llama_weights.h"
#include "engine/model/model_desc.h"
#include "engine/vulkan/device_info.h"

#include <cstdint>
#include <vector>

namespace fireside::vk {

// What putting the last N layers of a model on a GPU costs in device memory, computed before anything
// is uploaded: N = 1 .. n_layer puts that many transformer layers there, N = n_layer + 1 also the
// output norm and matrix. The UI's "auto" GPU layers and the backend's up-front check use the same
// numbers.
struct GpuMemoryPlan {
    std::vector<uint64_t> layer_weight_bytes; // per layer: its seven matrices and two norms
    uint64_t output_bytes = 0;                // output norm + output matrix
    uint64_t kv_bytes_per_layer = 0;          // K and V for the whole context
    uint64_t scratch_bytes = 0;               // activations of one batch
    uint64_t logits_bytes = 0;                // extra scratch when the output runs on the GPU
    int64_t n_layer = 0;

    // Device memory for N GPU layers (0 .. n_layer + 1).
    uint64_t bytes_for(int64_t n_gpu_layers) const;
    // The largest N whose bytes fit in `budget` (0 when not even one layer fits).
    int64_t max_layers_within(uint64_t budget) const;
};

// `planes`: the matrices that have a planes layout (planes.h) are counted repacked.
GpuMemoryPlan plan_gpu_memory(const ModelDesc& desc, const LlamaWeights& weights, int64_t n_ctx,
                              int64_t max_batch, BlockType kv_type, bool planes = false);

// The device memory Fireside may plan with: the driver's budget where VK_EXT_memory_budget reports
// one, else 90% of the device-local heaps (the rest is left to the desktop and the driver).
uint64_t usable_device_memory(const DeviceInfo& device);

// Throws Error when N layers do not fit the device, naming the need, the budget and the largest N
// that fits.
void check_fits(const GpuMemoryPlan& plan, int64_t n_gpu_layers, const DeviceInfo& device);

} // namespace fireside::vk

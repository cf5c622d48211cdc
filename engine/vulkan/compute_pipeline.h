#pragma once

#include "engine/vulkan/vulkan_api.h"

#include <cstdint>
#include <span>
#include <string_view>

namespace fireside::vk {

class Buffer;
class Device;

// A compute pipeline over one embedded shader whose bindings 0..n_buffers-1 are storage buffers and
// whose parameters come as push constants. Created once, used for many dispatches.
class ComputePipeline {
public:
    ComputePipeline(Device& device, std::string_view shader, uint32_t n_buffers, uint32_t push_bytes,
                    uint32_t max_sets = 256);
    ~ComputePipeline();
    ComputePipeline(const ComputePipeline&) = delete;
    ComputePipeline& operator=(const ComputePipeline&) = delete;

    // Records a dispatch of `groups` workgroups with the buffers bound in order. Descriptor sets come
    // from this pipeline's pool; call reset() once the recorded work has completed.
    void record(VkCommandBuffer cmd, std::span<const Buffer* const> buffers, const void* push,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1);
    void reset();

private:
    Device& device_;
    uint32_t n_buffers_;
    uint32_t push_bytes_;
    VkShaderModule module_ = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    VkDescriptorPool pool_ = VK_NULL_HANDLE;
};

// A barrier making compute-shader writes visible to later compute-shader reads and transfers.
void compute_barrier(VkCommandBuffer cmd);

} // namespace fireside::vk

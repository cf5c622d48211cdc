#pragma once

#include "engine/vulkan/vulkan_api.h"

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

namespace fireside::vk {

class Buffer;
class Device;

// A compute pipeline over one embedded shader whose bindings 0..n_buffers-1 are storage buffers and
// whose parameters come as push constants; `specialization` gives the values of constant_id 0, 1, ...
// Bindings whose bit is set in `texel_bindings` are uniform texel buffers of four 32-bit words per
// texel instead (Buffer::texel_view): CPU rasterizers fetch texels for all lanes with straight-line
// code where they load storage buffers lane by lane in a bounds-checked loop.
// Created once, used for many dispatches.
class ComputePipeline {
public:
    ComputePipeline(Device& device, std::string_view shader, uint32_t n_buffers, uint32_t push_bytes,
                    std::span<const uint32_t> specialization = {}, uint32_t texel_bindings = 0);
    ~ComputePipeline();
    ComputePipeline(const ComputePipeline&) = delete;
    ComputePipeline& operator=(const ComputePipeline&) = delete;

    // Records a dispatch of `groups` workgroups with the buffers bound in order. The descriptor set of
    // a combination of buffers is made once and reused by later dispatches over the same buffers, so
    // re-recording a token's work costs no descriptor updates; the buffers must outlive the pipeline
    // or reset() must be called (with no recorded work pending) before they are destroyed.
    void record(VkCommandBuffer cmd, std::span<const Buffer* const> buffers, const void* push,
                uint32_t groups_x, uint32_t groups_y = 1, uint32_t groups_z = 1);
    void reset();

private:
    VkDescriptorSet descriptor_set(std::span<const Buffer* const> buffers);
    VkDescriptorType descriptor_type(uint32_t binding) const;
    void add_pool();

    Device& device_;
    uint32_t n_buffers_;
    uint32_t push_bytes_;
    uint32_t texel_bindings_;
    VkShaderModule module_ = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    std::vector<VkDescriptorPool> pools_;
    std::map<std::vector<uint64_t>, VkDescriptorSet> sets_; // by buffer serials
};

// A barrier making compute-shader writes visible to later compute-shader reads and transfers.
void compute_barrier(VkCommandBuffer cmd);

} // namespace fireside::vk

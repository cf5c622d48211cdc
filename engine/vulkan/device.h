#pragma once

#include "engine/vulkan/device_info.h"
#include "engine/vulkan/vulkan_api.h"

#include <functional>

namespace fireside::vk {

class Instance;

// A logical device with one compute queue, and the optional features Fireside's shaders can use
// enabled where the device has them.
class Device {
public:
    Device(const Instance& instance, uint32_t index);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    const DeviceInfo& info() const { return info_; }
    VkDevice handle() const { return device_; }
    VkPhysicalDevice physical() const { return physical_; }

    // Records commands with `record` into a one-time command buffer, submits it and waits.
    void submit_and_wait(const std::function<void(VkCommandBuffer)>& record);

    // The same in two steps, for work recorded over several calls: begin() returns a command buffer in
    // the recording state; submit_and_wait(cmd) ends, submits, waits for and frees it; abandon(cmd)
    // frees one that will not be submitted. Errors (device loss included) throw Error.
    VkCommandBuffer begin();
    void submit_and_wait(VkCommandBuffer cmd);
    void abandon(VkCommandBuffer cmd);

    // A memory type index with all `required` flags (preferring also `preferred`); throws Error if none.
    uint32_t memory_type(uint32_t allowed_bits, VkMemoryPropertyFlags required,
                         VkMemoryPropertyFlags preferred = 0) const;

private:
    DeviceInfo info_;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queue_family_ = 0;
    VkCommandPool pool_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
    VkPhysicalDeviceMemoryProperties memory_{};
};

} // namespace fireside::vk

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

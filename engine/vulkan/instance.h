#pragma once

#include "engine/vulkan/device_info.h"
#include "engine/vulkan/vulkan_api.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fireside::vk {

struct InstanceOptions {
    // Enables the Khronos validation layer and counts what it reports (tests turn this on).
    bool validation = false;
};

// The process's Vulkan instance and the devices it sees.
class Instance {
public:
    // Throws Error with a user-facing message when Vulkan is unavailable.
    explicit Instance(const InstanceOptions& options = {});
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    VkInstance handle() const { return instance_; }
    const std::vector<DeviceInfo>& devices() const { return devices_; }
    VkPhysicalDevice physical_device(uint32_t index) const { return physical_[index]; }

    // Chooses a device: `request` is an index or part of a name (case-insensitive); without one,
    // discrete > integrated > virtual > other, and a software rasterizer only when nothing else exists.
    // Throws Error listing the devices when the request matches none.
    uint32_t choose(const std::optional<std::string>& request = std::nullopt) const;

    // Validation messages (warnings and errors) seen so far, and the first of them.
    int validation_messages() const { return validation_messages_.load(); }
    std::string first_validation_message() const;

private:
    static VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                           VkDebugUtilsMessageTypeFlagsEXT types,
                                                           const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                           void* user);

    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    std::vector<VkPhysicalDevice> physical_;
    std::vector<DeviceInfo> devices_;
    std::atomic<int> validation_messages_{0};
    mutable std::mutex message_mutex_;
    std::string first_message_;
};

} // namespace fireside::vk

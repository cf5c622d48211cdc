#include "engine/vulkan/device.h"

#include "engine/core/error.h"
#include "engine/vulkan/instance.h"

#include <fmt/format.h>
#include <limits>
#include <vector>

namespace fireside::vk {

Device::Device(const Instance& instance, uint32_t index)
    : info_(instance.devices().at(index)), physical_(instance.physical_device(index)) {
    uint32_t n_families = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &n_families, nullptr);
    std::vector<VkQueueFamilyProperties> families(n_families);
    vkGetPhysicalDeviceQueueFamilyProperties(physical_, &n_families, families.data());
    // Prefer a compute-only family: on discrete GPUs it runs beside the graphics work of the desktop.
    uint32_t chosen = std::numeric_limits<uint32_t>::max();
    for (uint32_t i = 0; i < n_families; ++i) {
        if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
        if (chosen == std::numeric_limits<uint32_t>::max() ||
            !(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
            chosen = i;
    }
    if (chosen == std::numeric_limits<uint32_t>::max())
        throw Error(fmt::format("Vulkan device '{}' has no compute queue", info_.name));
    queue_family_ = chosen;

    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue{};
    queue.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    queue.queueFamilyIndex = queue_family_;
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;

    const bool v12 = info_.api_version >= VK_API_VERSION_1_2;
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, nullptr, {}};
    VkPhysicalDevice16BitStorageFeatures storage16{};
    storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    storage16.storageBuffer16BitAccess = info_.storage16;
    VkPhysicalDevice8BitStorageFeatures storage8{};
    storage8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES;
    storage8.storageBuffer8BitAccess = info_.storage8;
    VkPhysicalDeviceShaderFloat16Int8Features f16i8{};
    f16i8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
    f16i8.shaderFloat16 = info_.float16;
    f16i8.shaderInt8 = info_.int8;
    std::vector<const char*> extensions;
    features.pNext = &storage16;
    void** tail = &storage16.pNext;
    if (info_.storage8) {
        *tail = &storage8;
        tail = &storage8.pNext;
        if (!v12) extensions.push_back(VK_KHR_8BIT_STORAGE_EXTENSION_NAME);
    }
    if (info_.float16 || info_.int8) {
        *tail = &f16i8;
        if (!v12) extensions.push_back(VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);
    }
    if (info_.budget_bytes) extensions.push_back(VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);

    VkDeviceCreateInfo create{};

    create.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    create.pNext = &features;
    create.queueCreateInfoCount = 1;
    create.pQueueCreateInfos = &queue;
    create.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    create.ppEnabledExtensionNames = extensions.data();
    check(vkCreateDevice(physical_, &create, nullptr, &device_),
          fmt::format("opening Vulkan device '{}'", info_.name).c_str());
    vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

    VkCommandPoolCreateInfo pool{};

    pool.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = queue_family_;
    check(vkCreateCommandPool(device_, &pool, nullptr, &pool_), "creating a command pool");
    VkFenceCreateInfo fence{};
    fence.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    check(vkCreateFence(device_, &fence, nullptr, &fence_), "creating a fence");
    vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
}

Device::~Device() {
    if (!device_) return;
    vkDeviceWaitIdle(device_);
    if (fence_) vkDestroyFence(device_, fence_, nullptr);
    if (pool_) vkDestroyCommandPool(device_, pool_, nullptr);
    vkDestroyDevice(device_, nullptr);
}

VkCommandBuffer Device::begin() {
    VkCommandBufferAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    alloc.commandPool = pool_;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    check(vkAllocateCommandBuffers(device_, &alloc, &cmd), "allocating a command buffer");
    VkCommandBufferBeginInfo begin{};
    begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VkResult r = vkBeginCommandBuffer(cmd, &begin);
    if (r != VK_SUCCESS) {
        abandon(cmd);
        check(r, "recording commands");
    }
    return cmd;
}

void Device::abandon(VkCommandBuffer cmd) {
    vkFreeCommandBuffers(device_, pool_, 1, &cmd);
}

void Device::submit_and_wait(VkCommandBuffer cmd) {
    struct Release {
        Device& device;
        VkCommandBuffer cmd;
        ~Release() { device.abandon(cmd); }
    } release{*this, cmd};
    check(vkEndCommandBuffer(cmd), "recording commands");
    VkSubmitInfo submit{};
    submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    check(vkResetFences(device_, 1, &fence_), "resetting a fence");
    check(vkQueueSubmit(queue_, 1, &submit, fence_), "submitting GPU work");
    check(vkWaitForFences(device_, 1, &fence_, VK_TRUE, std::numeric_limits<uint64_t>::max()),
          "waiting for the GPU");
}

void Device::submit_and_wait(const std::function<void(VkCommandBuffer)>& record) {
    VkCommandBuffer cmd = begin();
    try {
        record(cmd);
    } catch (...) {
        abandon(cmd);
        throw;
    }
    submit_and_wait(cmd);
}

uint32_t Device::memory_type(uint32_t allowed_bits, VkMemoryPropertyFlags required,
                             VkMemoryPropertyFlags preferred) const {
    uint32_t fallback = std::numeric_limits<uint32_t>::max();
    for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
        if (!(allowed_bits & (1u << i))) continue;
        VkMemoryPropertyFlags flags = memory_.memoryTypes[i].propertyFlags;
        if ((flags & required) != required) continue;
        if ((flags & preferred) == preferred) return i;
        if (fallback == std::numeric_limits<uint32_t>::max()) fallback = i;
    }
    if (fallback == std::numeric_limits<uint32_t>::max())
        throw Error(fmt::format("Vulkan device '{}' has no suitable memory type", info_.name));
    return fallback;
}

} // namespace fireside::vk

#pragma once

#include "engine/vulkan/vulkan_api.h"

#include <cstddef>
#include <cstdint>

namespace fireside::vk {

class Device;

enum class MemoryKind {
    DeviceLocal, // fastest for the GPU; filled through a staging buffer
    HostVisible, // mapped into the process (staging, small readbacks; coherent where available)
};

// A storage (or texel) buffer and its own memory allocation.
class Buffer {
public:
    Buffer(Device& device, size_t bytes, MemoryKind kind);
    ~Buffer();
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    VkBuffer handle() const { return buffer_; }
    // Unique for the process's lifetime, unlike handles, which a driver may reuse after destruction:
    // descriptor sets are cached by it.
    uint64_t serial() const { return serial_; }
    size_t size() const { return bytes_; }
    // The mapped memory of a HostVisible buffer (nullptr for DeviceLocal).
    void* mapped() const { return mapped_; }
    // A view of the buffer as texels of four 32-bit words (R32G32B32A32_UINT), made on first use.
    VkBufferView texel_view() const;

private:
    Device& device_;
    size_t bytes_;
    uint64_t serial_;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    VkDeviceMemory memory_ = VK_NULL_HANDLE;
    void* mapped_ = nullptr;
    mutable VkBufferView view_ = VK_NULL_HANDLE;
};

} // namespace fireside::vk

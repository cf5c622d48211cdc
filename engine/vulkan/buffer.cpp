#include "engine/vulkan/buffer.h"

#include "engine/core/error.h"
#include "engine/vulkan/device.h"

#include <atomic>
#include <fmt/format.h>

namespace fireside::vk {

namespace {
std::atomic<uint64_t> next_serial{1};
} // namespace

Buffer::Buffer(Device& device, size_t bytes, MemoryKind kind)
    : device_(device), bytes_(bytes), serial_(next_serial.fetch_add(1)) {
    if (bytes == 0) throw Error("Vulkan: a buffer of zero bytes was requested");
    VkBufferCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    info.size = bytes;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkDevice dev = device.handle();
    check(vkCreateBuffer(dev, &info, nullptr, &buffer_), "creating a buffer");

    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(dev, buffer_, &req);
    VkMemoryAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex =
        kind == MemoryKind::DeviceLocal
            ? device.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
            : device.memory_type(req.memoryTypeBits,
                                 VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                 VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    VkResult r = vkAllocateMemory(dev, &alloc, nullptr, &memory_);
    if (r != VK_SUCCESS) {
        vkDestroyBuffer(dev, buffer_, nullptr);
        throw Error(fmt::format("Vulkan: allocating {} MiB of {} memory failed: {}", bytes >> 20,
                                kind == MemoryKind::DeviceLocal ? "GPU" : "host-visible", result_name(r)));
    }
    vkBindBufferMemory(dev, buffer_, memory_, 0);
    if (kind == MemoryKind::HostVisible)
        check(vkMapMemory(dev, memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "mapping");
}

VkBufferView Buffer::texel_view() const {
    if (view_) return view_;
    const uint64_t texels = bytes_ / 16;
    if (texels == 0 || texels > device_.info().max_texel_elements)
        throw Error(fmt::format("internal: a buffer of {} bytes cannot be viewed as texels", bytes_));
    VkBufferViewCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO;
    info.buffer = buffer_;
    info.format = VK_FORMAT_R32G32B32A32_UINT;
    info.offset = 0;
    info.range = texels * 16;
    check(vkCreateBufferView(device_.handle(), &info, nullptr, &view_), "creating a buffer view");
    return view_;
}

Buffer::~Buffer() {
    VkDevice dev = device_.handle();
    if (view_) vkDestroyBufferView(dev, view_, nullptr);
    if (mapped_) vkUnmapMemory(dev, memory_);
    vkDestroyBuffer(dev, buffer_, nullptr);
    vkFreeMemory(dev, memory_, nullptr);
}

} // namespace fireside::vk

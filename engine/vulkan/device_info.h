#pragma once

#include <cstdint>
#include <string>

namespace fireside::vk {

enum class DeviceKind { Discrete, Integrated, Virtual, Software, Other };

// What Fireside knows about one Vulkan device, for `fireside-cli devices`, the UI and the memory plan.
struct DeviceInfo {
    uint32_t index = 0; // position in the instance's device list
    std::string name;
    uint32_t vendor_id = 0;
    std::string vendor; // "NVIDIA", "AMD", "Intel", "Apple", "Mesa", ...
    DeviceKind kind = DeviceKind::Other;
    std::string driver; // driver name and info, where the driver reports them
    uint32_t api_version = 0;
    uint64_t device_local_bytes = 0; // total of the device-local heaps
    uint64_t budget_bytes = 0;     // what the driver says Fireside may use now (VK_EXT_memory_budget), else 0
    bool float16 = false;          // shaderFloat16
    bool int8 = false;             // shaderInt8
    bool storage16 = false;        // 16-bit storage buffer access
    bool storage8 = false;         // 8-bit storage buffer access
    uint64_t max_buffer_range = 0; // maxStorageBufferRange: the largest buffer one binding can see
    uint32_t max_texel_elements = 0; // maxTexelBufferElements
    uint32_t subgroup_size = 0;
    bool subgroup_arithmetic = false;
};

const char* kind_name(DeviceKind kind);

} // namespace fireside::vk

#include "engine/vulkan/instance.h"

#include "engine/core/error.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <mutex>

namespace fireside::vk {
namespace {

bool has_extension(const std::vector<VkExtensionProperties>& list, const char* name) {
    return std::ranges::any_of(
        list, [&](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

std::vector<VkExtensionProperties> device_extensions(VkPhysicalDevice device) {
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> list(count);
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, list.data());
    return list;
}

std::string vendor_name(uint32_t id) {
    switch (id) {
    case 0x10DE:
        return "NVIDIA";
    case 0x1002:
        return "AMD";
    case 0x1022:
        return "AMD";
    case 0x8086:
        return "Intel";
    case 0x106B:
        return "Apple";
    case 0x13B5:
        return "ARM";
    case 0x5143:
        return "Qualcomm";
    case 0x1010:
        return "Imagination";
    case 0x10005:
        return "Mesa";
    default:
        return fmt::format("vendor 0x{:04x}", id);
    }
}

DeviceKind kind_of(VkPhysicalDeviceType type) {
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return DeviceKind::Discrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return DeviceKind::Integrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return DeviceKind::Virtual;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return DeviceKind::Software;
    default:
        return DeviceKind::Other;
    }
}

DeviceInfo describe(VkPhysicalDevice device, uint32_t index) {
    DeviceInfo info;
    info.index = index;
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(device, &props);
    info.name = props.deviceName;
    info.vendor_id = props.vendorID;
    info.vendor = vendor_name(props.vendorID);
    info.kind = kind_of(props.deviceType);
    info.api_version = props.apiVersion;
    info.max_buffer_range = props.limits.maxStorageBufferRange;
    info.max_texel_elements = props.limits.maxTexelBufferElements;
    const auto extensions = device_extensions(device);
    const bool v12 = props.apiVersion >= VK_API_VERSION_1_2;

    // Optional structures are chained only where the device's version or an extension defines them.
    VkPhysicalDeviceProperties2 props2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, nullptr, {}};
    VkPhysicalDeviceSubgroupProperties subgroup{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES, nullptr, 0, 0, 0, VK_FALSE};
    VkPhysicalDeviceDriverProperties driver{};
    driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
    props2.pNext = &subgroup;
    if (v12 || has_extension(extensions, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME)) subgroup.pNext = &driver;
    vkGetPhysicalDeviceProperties2(device, &props2);
    info.subgroup_size = subgroup.subgroupSize;
    info.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                               (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
    if (subgroup.pNext) {
        info.driver = driver.driverName;
        if (driver.driverInfo[0]) info.driver += fmt::format(" ({})", driver.driverInfo);
    }
    if (info.driver.empty()) info.driver = fmt::format("driver version {}", props.driverVersion);

    VkPhysicalDeviceFeatures2 features2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, nullptr, {}};
    VkPhysicalDevice16BitStorageFeatures storage16{};
    storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES;
    VkPhysicalDevice8BitStorageFeatures storage8{};
    storage8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES;
    VkPhysicalDeviceShaderFloat16Int8Features f16i8{};
    f16i8.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES;
    features2.pNext = &storage16;
    void** tail = &storage16.pNext;
    if (v12 || has_extension(extensions, VK_KHR_8BIT_STORAGE_EXTENSION_NAME)) {
        *tail = &storage8;
        tail = &storage8.pNext;
    }
    if (v12 || has_extension(extensions, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME)) *tail = &f16i8;
    vkGetPhysicalDeviceFeatures2(device, &features2);
    info.storage16 = storage16.storageBuffer16BitAccess;
    info.storage8 = storage8.storageBuffer8BitAccess;
    info.float16 = f16i8.shaderFloat16;
    info.int8 = f16i8.shaderInt8;

    VkPhysicalDeviceMemoryProperties2 memory2{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2, nullptr, {}};
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{};
    budget.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT;
    const bool has_budget = has_extension(extensions, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
    if (has_budget) memory2.pNext = &budget;
    vkGetPhysicalDeviceMemoryProperties2(device, &memory2);
    const VkPhysicalDeviceMemoryProperties& memory = memory2.memoryProperties;
    for (uint32_t h = 0; h < memory.memoryHeapCount; ++h) {
        if (!(memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)) continue;
        info.device_local_bytes += memory.memoryHeaps[h].size;
        if (has_budget) info.budget_bytes += budget.heapBudget[h];
    }
    return info;
}

std::string lower(std::string s) {
    std::ranges::transform(s, s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

int preference(DeviceKind kind) {
    switch (kind) {
    case DeviceKind::Discrete:
        return 0;
    case DeviceKind::Integrated:
        return 1;
    case DeviceKind::Virtual:
        return 2;
    case DeviceKind::Other:
        return 3;
    case DeviceKind::Software:
        return 4;
    }
    return 5;
}

} // namespace

const char* kind_name(DeviceKind kind) {
    switch (kind) {
    case DeviceKind::Discrete:
        return "discrete GPU";
    case DeviceKind::Integrated:
        return "integrated GPU";
    case DeviceKind::Virtual:
        return "virtual GPU";
    case DeviceKind::Software:
        return "software (CPU)";
    case DeviceKind::Other:
        return "other";
    }
    return "other";
}

Instance::Instance(const InstanceOptions& options) {
    std::string why;
    if (!load_library(&why)) throw Error(why);

    uint32_t version = VK_API_VERSION_1_0;
    if (vkEnumerateInstanceVersion) vkEnumerateInstanceVersion(&version);
    if (version < VK_API_VERSION_1_1)
        throw Error("the installed Vulkan loader supports only Vulkan 1.0; Fireside needs 1.1 or newer");

    uint32_t count = 0;
    vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> available(count);
    vkEnumerateInstanceExtensionProperties(nullptr, &count, available.data());

    std::vector<const char*> extensions;
    VkInstanceCreateFlags flags = 0;
    // MoltenVK lists its devices only to instances that ask for portability drivers.
    if (has_extension(available, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
        extensions.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
        flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
    }
    std::vector<const char*> layers;
    if (options.validation) {
        uint32_t n_layers = 0;
        vkEnumerateInstanceLayerProperties(&n_layers, nullptr);
        std::vector<VkLayerProperties> layer_list(n_layers);
        vkEnumerateInstanceLayerProperties(&n_layers, layer_list.data());
        const char* khronos = "VK_LAYER_KHRONOS_validation";
        if (std::ranges::none_of(layer_list, [&](auto& l) { return std::strcmp(l.layerName, khronos) == 0; }))
            throw Error("the Khronos validation layer is not installed (Debian: vulkan-validationlayers)");
        layers.push_back(khronos);
        if (!has_extension(available, VK_EXT_DEBUG_UTILS_EXTENSION_NAME))
            throw Error("Vulkan validation needs VK_EXT_debug_utils, which the loader lacks");
        extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    }

    VkApplicationInfo app{};

    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "Fireside";
    app.applicationVersion = VK_MAKE_API_VERSION(0, 0, 1, 0);
    app.pEngineName = "Fireside";
    app.apiVersion = std::min<uint32_t>(version, VK_API_VERSION_1_3);

    VkInstanceCreateInfo info{};

    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    info.flags = flags;
    info.pApplicationInfo = &app;
    info.enabledLayerCount = static_cast<uint32_t>(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    check(vkCreateInstance(&info, nullptr, &instance_), "creating the Vulkan instance");
    load_instance_functions(instance_);

    if (options.validation && vkCreateDebugUtilsMessengerEXT) {
        VkDebugUtilsMessengerCreateInfoEXT m{};
        m.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
        m.messageSeverity =
            VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
        m.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                        VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                        VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
        m.pfnUserCallback = &Instance::on_debug_message;
        m.pUserData = this;
        check(vkCreateDebugUtilsMessengerEXT(instance_, &m, nullptr, &messenger_), "enabling validation");
    }

    uint32_t n_devices = 0;
    vkEnumeratePhysicalDevices(instance_, &n_devices, nullptr);
    physical_.resize(n_devices);
    vkEnumeratePhysicalDevices(instance_, &n_devices, physical_.data());
    physical_.resize(n_devices);
    for (uint32_t i = 0; i < n_devices; ++i) {
        devices_.push_back(describe(physical_[i], i));
    }
}

Instance::~Instance() {
    if (messenger_ && vkDestroyDebugUtilsMessengerEXT)
        vkDestroyDebugUtilsMessengerEXT(instance_, messenger_, nullptr);
    if (instance_) vkDestroyInstance(instance_, nullptr);
}

uint32_t Instance::choose(const std::optional<std::string>& request) const {
    auto usable = [&](const DeviceInfo& d) { return d.api_version >= VK_API_VERSION_1_1; };
    if (devices_.empty() || std::ranges::none_of(devices_, usable))
        throw Error("no Vulkan 1.1 device found; running on the CPU only");
    if (request && !request->empty()) {
        uint32_t index = 0;
        auto [end, ec] = std::from_chars(request->data(), request->data() + request->size(), index);
        if (ec == std::errc() && end == request->data() + request->size()) {
            if (index < devices_.size() && usable(devices_[index])) return index;
        } else {
            for (const DeviceInfo& d : devices_)
                if (usable(d) && lower(d.name).find(lower(*request)) != std::string::npos) return d.index;
        }
        std::string list;
        for (const DeviceInfo& d : devices_)
            list += fmt::format("{}{}: {}", list.empty() ? "" : ", ", d.index, d.name);
        throw Error(fmt::format("no Vulkan device matches '{}'; available: {}", *request, list));
    }
    const DeviceInfo* best = nullptr;
    for (const DeviceInfo& d : devices_)
        if (usable(d) && (!best || preference(d.kind) < preference(best->kind))) best = &d;
    return best->index;
}

std::string Instance::first_validation_message() const {
    std::lock_guard lock(message_mutex_);
    return first_message_;
}

VKAPI_ATTR VkBool32 VKAPI_CALL Instance::on_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT,
                                                          VkDebugUtilsMessageTypeFlagsEXT,
                                                          const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                          void* user) {
    auto* self = static_cast<Instance*>(user);
    if (self->validation_messages_.fetch_add(1) == 0 && data && data->pMessage) {
        std::lock_guard lock(self->message_mutex_);
        self->first_message_ = data->pMessage;
    }
    return VK_FALSE;
}

} // namespace fireside::vk

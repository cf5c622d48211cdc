#include "engine/vulkan/vulkan_api.h"

#include "engine/core/error.h"

#include <fmt/format.h>
#include <mutex>

#if defined(_WIN32)
#include <windows.h>
#else
#include <dlfcn.h>
#endif
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#include <string>
#endif

namespace fireside::vk {

#define FIRESIDE_VK_DEFINE(name) PFN_##name name = nullptr;
FIRESIDE_VK_GLOBAL_FUNCTIONS(FIRESIDE_VK_DEFINE)
FIRESIDE_VK_INSTANCE_FUNCTIONS(FIRESIDE_VK_DEFINE)
FIRESIDE_VK_OPTIONAL_INSTANCE_FUNCTIONS(FIRESIDE_VK_DEFINE)
#undef FIRESIDE_VK_DEFINE

namespace {

PFN_vkGetInstanceProcAddr get_instance_proc_addr = nullptr;

PFN_vkGetInstanceProcAddr open_loader() {
#if defined(_WIN32)
    HMODULE lib = LoadLibraryA("vulkan-1.dll");
    if (!lib) return nullptr;
    return reinterpret_cast<PFN_vkGetInstanceProcAddr>(GetProcAddress(lib, "vkGetInstanceProcAddr"));
#else
#if defined(__APPLE__)
    // Inside Fireside.app the loader and MoltenVK are bundled in Contents/Frameworks.
    char exe[4096];
    uint32_t exe_size = sizeof(exe);
    if (_NSGetExecutablePath(exe, &exe_size) == 0) {
        std::string bundled(exe);
        bundled = bundled.substr(0, bundled.rfind('/')) + "/../Frameworks/libvulkan.1.dylib";
        if (void* lib = dlopen(bundled.c_str(), RTLD_NOW | RTLD_LOCAL))
            return reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(lib, "vkGetInstanceProcAddr"));
    }
    const char* names[] = {"libvulkan.1.dylib", "libvulkan.dylib", "libMoltenVK.dylib"};
#else
    const char* names[] = {"libvulkan.so.1", "libvulkan.so"};
#endif
    for (const char* name : names) {
        // Kept open for the life of the process: function pointers from it stay in use until exit.
        if (void* lib = dlopen(name, RTLD_NOW | RTLD_LOCAL))
            return reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(lib, "vkGetInstanceProcAddr"));
    }
    return nullptr;
#endif
}

} // namespace

bool load_library(std::string* error) {
    static std::once_flag once;
    std::call_once(once, [] {
        get_instance_proc_addr = open_loader();
        if (!get_instance_proc_addr) return;
#define FIRESIDE_VK_LOAD_GLOBAL(name)                                                                        \
    name = reinterpret_cast<PFN_##name>(get_instance_proc_addr(VK_NULL_HANDLE, #name));
        FIRESIDE_VK_GLOBAL_FUNCTIONS(FIRESIDE_VK_LOAD_GLOBAL)
#undef FIRESIDE_VK_LOAD_GLOBAL
    });
    if (!get_instance_proc_addr || !vkCreateInstance) {
        if (error)
            *error = "no Vulkan loader is installed (install your GPU driver's Vulkan support, e.g. "
                     "libvulkan1 and mesa-vulkan-drivers on Debian); running on the CPU only";
        return false;
    }
    return true;
}

void load_instance_functions(VkInstance instance) {
#define FIRESIDE_VK_LOAD_INSTANCE(name)                                                                      \
    name = reinterpret_cast<PFN_##name>(get_instance_proc_addr(instance, #name));                            \
    if (!name) throw Error("the Vulkan loader lacks " #name "; update your GPU driver");
    FIRESIDE_VK_INSTANCE_FUNCTIONS(FIRESIDE_VK_LOAD_INSTANCE)
#undef FIRESIDE_VK_LOAD_INSTANCE
#define FIRESIDE_VK_LOAD_OPTIONAL(name)                                                                      \
    name = reinterpret_cast<PFN_##name>(get_instance_proc_addr(instance, #name));
    FIRESIDE_VK_OPTIONAL_INSTANCE_FUNCTIONS(FIRESIDE_VK_LOAD_OPTIONAL)
#undef FIRESIDE_VK_LOAD_OPTIONAL
}

const char* result_name(VkResult result) {
    switch (result) {
    case VK_SUCCESS:
        return "VK_SUCCESS";
    case VK_NOT_READY:
        return "VK_NOT_READY";
    case VK_TIMEOUT:
        return "VK_TIMEOUT";
    case VK_INCOMPLETE:
        return "VK_INCOMPLETE";
    case VK_ERROR_OUT_OF_HOST_MEMORY:
        return "VK_ERROR_OUT_OF_HOST_MEMORY (out of system memory)";
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        return "VK_ERROR_OUT_OF_DEVICE_MEMORY (out of GPU memory)";
    case VK_ERROR_INITIALIZATION_FAILED:
        return "VK_ERROR_INITIALIZATION_FAILED";
    case VK_ERROR_DEVICE_LOST:
        return "VK_ERROR_DEVICE_LOST (the GPU stopped responding)";
    case VK_ERROR_MEMORY_MAP_FAILED:
        return "VK_ERROR_MEMORY_MAP_FAILED";
    case VK_ERROR_LAYER_NOT_PRESENT:
        return "VK_ERROR_LAYER_NOT_PRESENT";
    case VK_ERROR_EXTENSION_NOT_PRESENT:
        return "VK_ERROR_EXTENSION_NOT_PRESENT";
    case VK_ERROR_FEATURE_NOT_PRESENT:
        return "VK_ERROR_FEATURE_NOT_PRESENT";
    case VK_ERROR_INCOMPATIBLE_DRIVER:
        return "VK_ERROR_INCOMPATIBLE_DRIVER (no usable Vulkan driver)";
    case VK_ERROR_TOO_MANY_OBJECTS:
        return "VK_ERROR_TOO_MANY_OBJECTS";
    case VK_ERROR_FORMAT_NOT_SUPPORTED:
        return "VK_ERROR_FORMAT_NOT_SUPPORTED";
    case VK_ERROR_FRAGMENTED_POOL:
        return "VK_ERROR_FRAGMENTED_POOL";
    case VK_ERROR_OUT_OF_POOL_MEMORY:
        return "VK_ERROR_OUT_OF_POOL_MEMORY";
    default:
        return "unknown VkResult";
    }
}

void check(VkResult result, const char* what) {
    if (result != VK_SUCCESS) throw Error(fmt::format("Vulkan: {} failed: {}", what, result_name(result)));
}

} // namespace fireside::vk

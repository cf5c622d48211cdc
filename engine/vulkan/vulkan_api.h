#pragma once

// Vulkan is loaded at run time (dlopen) rather than linked, so Fireside starts and runs on the CPU on a
// machine without a Vulkan loader, and MoltenVK can be picked up from an app bundle.
#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <string>
#include <vulkan/vulkan.h>

// X-macro lists of the entry points Fireside uses, by the level they are loaded at.
#define FIRESIDE_VK_GLOBAL_FUNCTIONS(X)                                                                      \
    X(vkCreateInstance)                                                                                      \
    X(vkEnumerateInstanceExtensionProperties)                                                                \
    X(vkEnumerateInstanceLayerProperties)                                                                    \
    X(vkEnumerateInstanceVersion)

#define FIRESIDE_VK_INSTANCE_FUNCTIONS(X)                                                                    \
    X(vkDestroyInstance)                                                                                     \
    X(vkEnumeratePhysicalDevices)                                                                            \
    X(vkGetPhysicalDeviceProperties)                                                                         \
    X(vkGetPhysicalDeviceProperties2)                                                                        \
    X(vkGetPhysicalDeviceFeatures2)                                                                          \
    X(vkGetPhysicalDeviceMemoryProperties)                                                                   \
    X(vkGetPhysicalDeviceMemoryProperties2)                                                                  \
    X(vkGetPhysicalDeviceQueueFamilyProperties)                                                              \
    X(vkEnumerateDeviceExtensionProperties)                                                                  \
    X(vkCreateDevice)                                                                                        \
    X(vkDestroyDevice)                                                                                       \
    X(vkGetDeviceQueue)                                                                                      \
    X(vkCreateBuffer)                                                                                        \
    X(vkCreateBufferView)                                                                                    \
    X(vkDestroyBufferView)                                                                                   \
    X(vkDestroyBuffer)                                                                                       \
    X(vkGetBufferMemoryRequirements)                                                                         \
    X(vkAllocateMemory)                                                                                      \
    X(vkFreeMemory)                                                                                          \
    X(vkBindBufferMemory)                                                                                    \
    X(vkMapMemory)                                                                                           \
    X(vkUnmapMemory)                                                                                         \
    X(vkCreateShaderModule)                                                                                  \
    X(vkDestroyShaderModule)                                                                                 \
    X(vkCreateDescriptorSetLayout)                                                                           \
    X(vkDestroyDescriptorSetLayout)                                                                          \
    X(vkCreatePipelineLayout)                                                                                \
    X(vkDestroyPipelineLayout)                                                                               \
    X(vkCreateComputePipelines)                                                                              \
    X(vkDestroyPipeline)                                                                                     \
    X(vkCreateDescriptorPool)                                                                                \
    X(vkDestroyDescriptorPool)                                                                               \
    X(vkResetDescriptorPool)                                                                                 \
    X(vkAllocateDescriptorSets)                                                                              \
    X(vkUpdateDescriptorSets)                                                                                \
    X(vkCreateCommandPool)                                                                                   \
    X(vkDestroyCommandPool)                                                                                  \
    X(vkAllocateCommandBuffers)                                                                              \
    X(vkFreeCommandBuffers)                                                                                  \
    X(vkBeginCommandBuffer)                                                                                  \
    X(vkEndCommandBuffer)                                                                                    \
    X(vkResetCommandBuffer)                                                                                  \
    X(vkCmdBindPipeline)                                                                                     \
    X(vkCmdBindDescriptorSets)                                                                               \
    X(vkCmdPushConstants)                                                                                    \
    X(vkCmdDispatch)                                                                                         \
    X(vkCmdPipelineBarrier)                                                                                  \
    X(vkCmdCopyBuffer)                                                                                       \
    X(vkCmdFillBuffer)                                                                                       \
    X(vkQueueSubmit)                                                                                         \
    X(vkQueueWaitIdle)                                                                                       \
    X(vkCreateFence)                                                                                         \
    X(vkDestroyFence)                                                                                        \
    X(vkWaitForFences)                                                                                       \
    X(vkResetFences)                                                                                         \
    X(vkDeviceWaitIdle)

// Extension entry points: null when the extension is absent.
#define FIRESIDE_VK_OPTIONAL_INSTANCE_FUNCTIONS(X)                                                           \
    X(vkCreateDebugUtilsMessengerEXT)                                                                        \
    X(vkDestroyDebugUtilsMessengerEXT)

namespace fireside::vk {

#define FIRESIDE_VK_DECLARE(name) extern PFN_##name name;
FIRESIDE_VK_GLOBAL_FUNCTIONS(FIRESIDE_VK_DECLARE)
FIRESIDE_VK_INSTANCE_FUNCTIONS(FIRESIDE_VK_DECLARE)
FIRESIDE_VK_OPTIONAL_INSTANCE_FUNCTIONS(FIRESIDE_VK_DECLARE)
#undef FIRESIDE_VK_DECLARE

// Loads the Vulkan loader library and its global entry points once. Returns false and sets `error`
// to a user-facing explanation when no loader is installed.
bool load_library(std::string* error);

// Loads the instance-level entry points (device ones go through the instance too: Fireside uses one
// instance per process).
void load_instance_functions(VkInstance instance);

// The name of a VkResult, for error messages ("VK_ERROR_OUT_OF_DEVICE_MEMORY").
const char* result_name(VkResult result);

// Throws Error("<what>: <result name>") unless result is VK_SUCCESS.
void check(VkResult result, const char* what);

} // namespace fireside::vk

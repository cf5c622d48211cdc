#include "engine/vulkan/compute_pipeline.h"

#include "engine/core/error.h"
#include "engine/vulkan/buffer.h"
#include "engine/vulkan/device.h"
#include "shaders/embedded_shaders.h"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace fireside::vk {

namespace {
constexpr uint32_t kSetsPerPool = 128;
} // namespace

ComputePipeline::ComputePipeline(Device& device, std::string_view shader, uint32_t n_buffers,
                                 uint32_t push_bytes, std::span<const uint32_t> specialization,
                                 uint32_t texel_bindings)
    : device_(device), n_buffers_(n_buffers), push_bytes_(push_bytes), texel_bindings_(texel_bindings) {
    std::span<const uint32_t> words = shaders::find(shader);
    if (words.empty()) throw Error(fmt::format("internal: no embedded shader named '{}'", shader));
    VkDevice dev = device.handle();

    VkShaderModuleCreateInfo module{};

    module.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    module.codeSize = words.size_bytes();
    module.pCode = words.data();
    check(vkCreateShaderModule(dev, &module, nullptr, &module_), "loading a shader");

    std::vector<VkDescriptorSetLayoutBinding> bindings(n_buffers);
    for (uint32_t i = 0; i < n_buffers; ++i)
        bindings[i] = {i, descriptor_type(i), 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo set{};
    set.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    set.bindingCount = n_buffers;
    set.pBindings = bindings.data();
    check(vkCreateDescriptorSetLayout(dev, &set, nullptr, &set_layout_), "creating a descriptor layout");

    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
    VkPipelineLayoutCreateInfo layout{};
    layout.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    layout.setLayoutCount = 1;
    layout.pSetLayouts = &set_layout_;
    layout.pushConstantRangeCount = push_bytes ? 1 : 0;
    layout.pPushConstantRanges = push_bytes ? &range : nullptr;
    check(vkCreatePipelineLayout(dev, &layout, nullptr, &layout_), "creating a pipeline layout");

    VkComputePipelineCreateInfo pipeline{};

    pipeline.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
    pipeline.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    pipeline.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    pipeline.stage.module = module_;
    pipeline.stage.pName = "main";
    std::vector<VkSpecializationMapEntry> entries(specialization.size());
    for (uint32_t i = 0; i < entries.size(); ++i) entries[i] = {i, i * 4u, 4u};
    VkSpecializationInfo spec{};
    spec.mapEntryCount = static_cast<uint32_t>(entries.size());
    spec.pMapEntries = entries.data();
    spec.dataSize = specialization.size_bytes();
    spec.pData = specialization.data();
    if (!specialization.empty()) pipeline.stage.pSpecializationInfo = &spec;
    pipeline.layout = layout_;
    check(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &pipeline, nullptr, &pipeline_),
          fmt::format("building the '{}' pipeline", shader).c_str());

    add_pool();
}

ComputePipeline::~ComputePipeline() {
    VkDevice dev = device_.handle();
    for (VkDescriptorPool pool : pools_) vkDestroyDescriptorPool(dev, pool, nullptr);
    vkDestroyPipeline(dev, pipeline_, nullptr);
    vkDestroyPipelineLayout(dev, layout_, nullptr);
    vkDestroyDescriptorSetLayout(dev, set_layout_, nullptr);
    vkDestroyShaderModule(dev, module_, nullptr);
}

VkDescriptorType ComputePipeline::descriptor_type(uint32_t binding) const {
    return (texel_bindings_ >> binding) & 1u ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
                                             : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

void ComputePipeline::add_pool() {
    std::vector<VkDescriptorPoolSize> sizes;
    for (uint32_t i = 0; i < n_buffers_; ++i) {
        auto same = [&](const VkDescriptorPoolSize& s) { return s.type == descriptor_type(i); };
        if (auto it = std::find_if(sizes.begin(), sizes.end(), same); it != sizes.end())
            it->descriptorCount += kSetsPerPool;
        else
            sizes.push_back({descriptor_type(i), kSetsPerPool});
    }
    VkDescriptorPoolCreateInfo info{};
    info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    info.maxSets = kSetsPerPool;
    info.poolSizeCount = static_cast<uint32_t>(sizes.size());
    info.pPoolSizes = sizes.data();
    VkDescriptorPool pool = VK_NULL_HANDLE;
    check(vkCreateDescriptorPool(device_.handle(), &info, nullptr, &pool), "creating a descriptor pool");
    pools_.push_back(pool);
}

VkDescriptorSet ComputePipeline::descriptor_set(std::span<const Buffer* const> buffers) {
    std::vector<uint64_t> key(buffers.size());
    for (size_t i = 0; i < buffers.size(); ++i) key[i] = buffers[i]->serial();
    if (auto it = sets_.find(key); it != sets_.end()) return it->second;

    VkDevice dev = device_.handle();
    VkDescriptorSetAllocateInfo alloc{};
    alloc.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    alloc.descriptorPool = pools_.back();
    alloc.descriptorSetCount = 1;
    alloc.pSetLayouts = &set_layout_;
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (sets_.size() % kSetsPerPool == 0 && !sets_.empty()) {
        add_pool();
        alloc.descriptorPool = pools_.back();
    }
    check(vkAllocateDescriptorSets(dev, &alloc, &set), "allocating a descriptor set");

    std::vector<VkDescriptorBufferInfo> infos(n_buffers_);
    std::vector<VkBufferView> views(n_buffers_);
    std::vector<VkWriteDescriptorSet> writes(n_buffers_);
    for (uint32_t i = 0; i < n_buffers_; ++i) {
        infos[i] = {buffers[i]->handle(), 0, VK_WHOLE_SIZE};
        writes[i] = {};
        writes[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        writes[i].dstSet = set;
        writes[i].dstBinding = i;
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = descriptor_type(i);
        if (descriptor_type(i) == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER) {
            views[i] = buffers[i]->texel_view();
            writes[i].pTexelBufferView = &views[i];
        } else {
            writes[i].pBufferInfo = &infos[i];
        }
    }
    vkUpdateDescriptorSets(dev, n_buffers_, writes.data(), 0, nullptr);
    sets_.emplace(std::move(key), set);
    return set;
}

void ComputePipeline::record(VkCommandBuffer cmd, std::span<const Buffer* const> buffers, const void* push,
                             uint32_t groups_x, uint32_t groups_y, uint32_t groups_z) {
    if (buffers.size() != n_buffers_) throw Error("internal: wrong number of buffers for a pipeline");
    VkDescriptorSet set = descriptor_set(buffers);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout_, 0, 1, &set, 0, nullptr);
    if (push_bytes_) vkCmdPushConstants(cmd, layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes_, push);
    vkCmdDispatch(cmd, groups_x, groups_y, groups_z);
}

void ComputePipeline::reset() {
    for (VkDescriptorPool pool : pools_) vkResetDescriptorPool(device_.handle(), pool, 0);
    sets_.clear();
}

void compute_barrier(VkCommandBuffer cmd) {
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    barrier.dstAccessMask =
        VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                         &barrier, 0, nullptr, 0, nullptr);
}

} // namespace fireside::vk

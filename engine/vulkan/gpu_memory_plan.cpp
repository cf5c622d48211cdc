#include "engine/vulkan/gpu_memory_plan.h"

#include "engine/core/error.h"
#include "engine/vulkan/planes.h"

#include <algorithm>
#include <fmt/format.h>

namespace fireside::vk {
namespace {

// Buffers are padded to whole words plus one (the shaders read blocks through 32-bit words).
uint64_t padded(uint64_t bytes) {
    return (bytes + 3) / 4 * 4 + 4;
}

uint64_t matrix_bytes(const WeightMatrix& m, bool planes) {
    if (planes && uses_planes(m)) return padded(planes_bytes(m.type, m.n_cols, m.n_rows));
    return padded(static_cast<uint64_t>(m.row_bytes) * static_cast<uint64_t>(m.n_rows));
}

std::string mib(uint64_t bytes) {
    return fmt::format("{} MiB", (bytes + (1u << 20) - 1) >> 20);
}

} // namespace

uint64_t GpuMemoryPlan::bytes_for(int64_t n_gpu_layers) const {
    const int64_t n = std::clamp<int64_t>(n_gpu_layers, 0, n_layer + 1);
    if (n == 0) return 0;
    uint64_t total = scratch_bytes;
    for (int64_t i = 0; i < std::min(n, n_layer); ++i)
        total += layer_weight_bytes[static_cast<size_t>(n_layer - 1 - i)] + kv_bytes_per_layer;
    if (n == n_layer + 1) total += output_bytes + logits_bytes;
    return total;
}

int64_t GpuMemoryPlan::max_layers_within(uint64_t budget) const {
    int64_t best = 0;
    for (int64_t n = 1; n <= n_layer + 1; ++n)
        if (bytes_for(n) <= budget) best = n;
    return best;
}

GpuMemoryPlan plan_gpu_memory(const ModelDesc& desc, const LlamaWeights& weights, int64_t n_ctx,
                              int64_t max_batch, BlockType kv_type, bool planes) {
    auto matrix_bytes = [planes](const WeightMatrix& m) { return vk::matrix_bytes(m, planes); };
    GpuMemoryPlan plan;
    plan.n_layer = desc.n_layer;
    for (const LayerWeights& l : weights.layers)
        plan.layer_weight_bytes.push_back(matrix_bytes(l.wq) + matrix_bytes(l.wk) + matrix_bytes(l.wv) +
                                          matrix_bytes(l.wo) + matrix_bytes(l.w1) + matrix_bytes(l.w2) +
                                          matrix_bytes(l.w3) +
                                          padded((l.attn_norm.size() + l.ffn_norm.size()) * sizeof(float)));
    plan.output_bytes = matrix_bytes(weights.output) + padded(weights.output_norm.size() * sizeof(float));
    const uint64_t elem = kv_type == BlockType::F16 ? 2 : 4;
    plan.kv_bytes_per_layer = 2 * padded(static_cast<uint64_t>(n_ctx) *
                                         static_cast<uint64_t>(desc.n_head_kv * desc.head_dim) * elem);
    const auto b = static_cast<uint64_t>(max_batch);
    const auto e = static_cast<uint64_t>(desc.n_embd), q = static_cast<uint64_t>(desc.n_head * desc.head_dim);
    const auto kv = static_cast<uint64_t>(desc.n_head_kv * desc.head_dim),
               ff = static_cast<uint64_t>(desc.n_ff);
    plan.scratch_bytes = 4 * b * (2 * e + 2 * q + 2 * kv + 2 * ff);
    plan.logits_bytes = 4 * b * static_cast<uint64_t>(desc.n_vocab);
    return plan;
}

uint64_t usable_device_memory(const DeviceInfo& device) {
    if (device.budget_bytes) return device.budget_bytes;
    return device.device_local_bytes / 10 * 9;
}

void check_fits(const GpuMemoryPlan& plan, int64_t n_gpu_layers, const DeviceInfo& device) {
    const uint64_t need = plan.bytes_for(n_gpu_layers), budget = usable_device_memory(device);
    if (need <= budget) return;
    const int64_t fits = plan.max_layers_within(budget);
    throw Error(fmt::format("{} GPU layers need {} on '{}', which has {} available; {}", n_gpu_layers,
                            mib(need), device.name, mib(budget),
                            fits > 0 ? fmt::format("at most {} GPU layers fit (--ngl {})", fits, fits)
                                     : std::string("not even one layer fits: use --ngl 0")));
}

} // namespace fireside::vk

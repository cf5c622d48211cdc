#include "engine/vulkan/kernels.h"

#include "engine/core/error.h"
#include "engine/vulkan/buffer.h"
#include "engine/vulkan/device.h"
#include "engine/vulkan/planes.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <string>

namespace fireside::vk {
namespace {

constexpr uint32_t kTokensPerGroup = 8;     // NT in mul_mat.glsl (the mat_vec variants: 1)
constexpr uint32_t kMaxGroups = 65535;      // the smallest maxComputeWorkGroupCount Vulkan allows
constexpr uint32_t kPlaneGroupsPerVec = 8;  // ROWS_PER_LANE in mat_vec_*_planes.comp
constexpr uint32_t kPlaneGroupsPerTile = 4; // ROWS_PER_LANE in mul_mat_*_planes.comp

// Element-wise kernels loop over their range (grid-stride), so their group count can be capped.
uint32_t stride_groups(uint64_t n) {
    return static_cast<uint32_t>(std::clamp<uint64_t>((n + 63) / 64, 1, 4096));
}

uint32_t groups_of(uint64_t n, uint32_t per_group) {
    const uint64_t g = (n + per_group - 1) / per_group;
    if (g > kMaxGroups)
        throw Error(fmt::format("Vulkan: a dispatch of {} items exceeds the device's limits", n));
    return static_cast<uint32_t>(g == 0 ? 1 : g);
}

// The index of a type in the pipeline arrays; only the types with shaders have one.
int slot_of(BlockType type) {
    switch (type) {
    case BlockType::F32:
        return 0;
    case BlockType::F16:
        return 1;
    case BlockType::Q4_0:
        return 2;
    case BlockType::Q4_1:
        return 3;
    case BlockType::Q5_0:
        return 4;
    case BlockType::Q5_1:
        return 5;
    case BlockType::Q8_0:
        return 6;
    case BlockType::Q2_K:
        return 7;
    case BlockType::Q3_K:
        return 8;
    case BlockType::Q4_K:
        return 9;
    case BlockType::Q5_K:
        return 10;
    case BlockType::Q6_K:
        return 11;
    default:
        return -1;
    }
}

struct MulMatPush {
    uint32_t n_cols, n_rows, n_tokens, row_bytes, w_offset, x_offset, x_stride, y_offset, y_stride,
        accumulate;
};
struct GetRowsPush {
    uint32_t n_cols, row_bytes, w_offset, n_tokens, out_offset, out_stride;
};
struct RmsNormPush {
    uint32_t n;
    float eps;
    uint32_t x_offset, w_offset, y_offset, stride;
};
struct RopePush {
    uint32_t n_heads, head_dim, n_rot, n_tokens, offset, stride, table_offset;
};
struct KvStorePush {
    uint32_t kv_dim, n_tokens, pos0, src_offset, src_stride, dst_offset, f16;
};
struct KvLoadPush {
    uint32_t kv_dim, n_tokens, pos0, src_offset, dst_offset, dst_stride, f16;
};
struct AttentionPush {
    uint32_t n_head, n_head_kv, head_dim, pos0, q_offset, q_stride, o_offset, o_stride, k_offset, v_offset,
        kv_dim, f16;
    float scale;
};
struct SoftmaxPush {
    uint32_t n, offset, stride;
};
struct PairPush {
    uint32_t n, a_offset, b_offset;
};

} // namespace

MatmulShape default_matmul_shape(const Device& device) {
    if (device.info().kind == DeviceKind::Software) return {8, 8};
    return {32, 2};
}

Kernels::Kernels(Device& device) : Kernels(device, default_matmul_shape(device)) {}

Kernels::Kernels(Device& device, MatmulShape shape) : device_(device), shape_(shape) {
    const uint32_t t = shape.threads_per_row;
    if (t == 0 || (t & (t - 1)) != 0 || shape.rows_per_group == 0 || t * shape.rows_per_group > 256)
        throw Error("internal: bad matrix kernel shape");
}

Kernels::~Kernels() = default;

bool Kernels::supports(BlockType type) {
    return slot_of(type) >= 0;
}

ComputePipeline& Kernels::pipeline(std::unique_ptr<ComputePipeline>& slot, const char* shader,
                                   uint32_t n_buffers, uint32_t push_bytes, std::span<const uint32_t> spec) {
    if (!slot) slot = std::make_unique<ComputePipeline>(device_, shader, n_buffers, push_bytes, spec);
    return *slot;
}

void Kernels::mul_mat(VkCommandBuffer cmd, BlockType type, At w, uint32_t n_cols, uint32_t n_rows,
                      uint32_t row_bytes, At x, uint32_t x_stride, At y, uint32_t y_stride, uint32_t n_tokens,
                      bool accumulate) {
    const int s = slot_of(type);
    if (s < 0)
        throw Error(fmt::format("the Vulkan backend has no kernel for {} weights", block_traits(type).name));
    if (n_rows == 0 || n_tokens == 0) return;
    // One token: the matrix-vector variant, without the token tile.
    const bool vec = n_tokens == 1;
    const std::string name = fmt::format("{}_{}", vec ? "mat_vec" : "mul_mat", block_traits(type).name);
    const uint32_t spec[] = {shape_.threads_per_row, shape_.rows_per_group};
    auto& slot = vec ? mat_vec_[static_cast<size_t>(s)] : mul_mat_[static_cast<size_t>(s)];
    ComputePipeline& p = pipeline(slot, name.c_str(), 3, sizeof(MulMatPush), spec);
    MulMatPush push{n_cols,   n_rows,   n_tokens, row_bytes, w.offset,
                    x.offset, x_stride, y.offset, y_stride,  accumulate ? 1u : 0u};
    const Buffer* buffers[] = {w.buffer, x.buffer, y.buffer};
    p.record(cmd, buffers, &push, groups_of(n_rows, shape_.rows_per_group),
             groups_of(n_tokens, vec ? 1 : kTokensPerGroup));
}

// The planes kernels read weights and activations (bindings 0 and 1) as texel buffers.
ComputePipeline& Kernels::planes_pipeline(std::unique_ptr<ComputePipeline>& slot, const std::string& shader) {
    if (!slot)
        slot = std::make_unique<ComputePipeline>(device_, shader, 3, sizeof(MulMatPush),
                                                 std::span<const uint32_t>{}, 0b011u);
    return *slot;
}

void Kernels::mul_mat_planes(VkCommandBuffer cmd, BlockType type, At w, uint32_t scales_at, uint32_t n_cols,
                             uint32_t n_rows, At x, uint32_t x_stride, At y, uint32_t y_stride,
                             uint32_t n_tokens, bool accumulate) {
    if (!has_planes(type))
        throw Error(fmt::format("internal: no planes kernel for {} weights", block_traits(type).name));
    if (n_cols % block_traits(type).block_values != 0 || x.offset % 4 != 0 || x_stride % 4 != 0)
        throw Error("internal: the planes kernels read whole blocks of 4-float aligned activations");
    if (n_rows == 0 || n_tokens == 0) return;
    // Texel views cover whole 16-byte texels of their buffer.
    if ((uint64_t{x.offset} + uint64_t{n_tokens - 1} * x_stride + n_cols) * 4 > x.buffer->size() / 16 * 16)
        throw Error("internal: activations past the end of their buffer");
    const size_t s = type == BlockType::Q4_0 ? 0 : 1;
    const std::string_view name = block_traits(type).name;
    MulMatPush push{n_cols / static_cast<uint32_t>(plane_unit_values(type)),
                    n_rows,
                    n_tokens,
                    scales_at,
                    w.offset,
                    x.offset / 4,
                    x_stride / 4,
                    y.offset,
                    y_stride,
                    accumulate ? 1u : 0u};
    const Buffer* buffers[] = {w.buffer, x.buffer, y.buffer};
    if (n_tokens > 1) {
        ComputePipeline& p = planes_pipeline(mul_mat_planes_[s], fmt::format("mul_mat_{}_planes", name));
        p.record(cmd, buffers, &push, groups_of(n_rows, kPlaneRows * kPlaneGroupsPerTile),
                 groups_of(n_tokens, kTokensPerGroup));
        return;
    }
    planes_pipeline(mat_vec_planes_[s], fmt::format("mat_vec_{}_planes", name))
        .record(cmd, buffers, &push, groups_of(n_rows, kPlaneRows * kPlaneGroupsPerVec));
}

void Kernels::get_rows(VkCommandBuffer cmd, BlockType type, At w, uint32_t n_cols, uint32_t row_bytes, At ids,
                       uint32_t n_tokens, At out, uint32_t out_stride) {
    const int s = slot_of(type);
    if (s < 0)
        throw Error(fmt::format("the Vulkan backend has no kernel for {} tables", block_traits(type).name));
    if (n_tokens == 0) return;
    const std::string name = fmt::format("get_rows_{}", block_traits(type).name);
    ComputePipeline& p = pipeline(get_rows_[static_cast<size_t>(s)], name.c_str(), 3, sizeof(GetRowsPush));
    if (ids.offset != 0) throw Error("internal: get_rows reads ids from the start of their buffer");
    GetRowsPush push{n_cols, row_bytes, w.offset, n_tokens, out.offset, out_stride};
    const Buffer* buffers[] = {w.buffer, ids.buffer, out.buffer};
    p.record(cmd, buffers, &push, groups_of((n_cols + 15) / 16, 64), groups_of(n_tokens, 1));
}

void Kernels::rms_norm(VkCommandBuffer cmd, At x, At weight, At y, uint32_t n, uint32_t stride,
                       uint32_t n_rows, float eps) {
    ComputePipeline& p = pipeline(rms_norm_, "rms_norm", 3, sizeof(RmsNormPush));
    RmsNormPush push{n, eps, x.offset, weight.offset, y.offset, stride};
    const Buffer* buffers[] = {x.buffer, weight.buffer, y.buffer};
    p.record(cmd, buffers, &push, groups_of(n_rows, 1));
}

void Kernels::rope(VkCommandBuffer cmd, At data, uint32_t stride, At table, uint32_t n_heads,
                   uint32_t head_dim, uint32_t n_rot, uint32_t n_tokens) {
    ComputePipeline& p = pipeline(rope_, "rope", 2, sizeof(RopePush));
    RopePush push{n_heads, head_dim, n_rot, n_tokens, data.offset, stride, table.offset};
    const Buffer* buffers[] = {data.buffer, table.buffer};
    p.record(cmd, buffers, &push, stride_groups(uint64_t{n_rot / 2} * n_heads * n_tokens));
}

void Kernels::kv_store(VkCommandBuffer cmd, At src, uint32_t src_stride, At cache, uint32_t kv_dim,
                       uint32_t n_tokens, uint32_t pos0, bool f16) {
    ComputePipeline& p = pipeline(kv_store_, "kv_store", 2, sizeof(KvStorePush));
    KvStorePush push{kv_dim, n_tokens, pos0, src.offset, src_stride, cache.offset, f16 ? 1u : 0u};
    const Buffer* buffers[] = {src.buffer, cache.buffer};
    p.record(cmd, buffers, &push, stride_groups(uint64_t{kv_dim / 2} * n_tokens));
}

void Kernels::kv_load(VkCommandBuffer cmd, At cache, uint32_t kv_dim, uint32_t n_tokens, uint32_t pos0,
                      bool f16, At dst, uint32_t dst_stride) {
    ComputePipeline& p = pipeline(kv_load_, "kv_load", 2, sizeof(KvLoadPush));
    KvLoadPush push{kv_dim, n_tokens, pos0, cache.offset, dst.offset, dst_stride, f16 ? 1u : 0u};
    const Buffer* buffers[] = {cache.buffer, dst.buffer};
    p.record(cmd, buffers, &push, stride_groups(uint64_t{kv_dim / 2} * n_tokens));
}

void Kernels::attention(VkCommandBuffer cmd, const AttentionArgs& a, At q, uint32_t q_stride, At k, At v,
                        At out, uint32_t out_stride) {
    if (a.head_dim > 256 || a.head_dim % 2 != 0)
        throw Error(fmt::format("the Vulkan backend supports heads of up to 256 values (this model: {})",
                                a.head_dim));
    ComputePipeline& p = pipeline(attention_, "attention", 4, sizeof(AttentionPush));
    AttentionPush push{a.n_head,
                       a.n_head_kv,
                       a.head_dim,
                       a.pos0,
                       q.offset,
                       q_stride,
                       out.offset,
                       out_stride,
                       k.offset,
                       v.offset,
                       a.kv_dim,
                       a.f16 ? 1u : 0u,
                       1.0f / std::sqrt(static_cast<float>(a.head_dim))};
    const Buffer* buffers[] = {q.buffer, k.buffer, v.buffer, out.buffer};
    p.record(cmd, buffers, &push, groups_of(a.n_head, 1), groups_of(a.n_tokens, 1));
}

void Kernels::softmax(VkCommandBuffer cmd, At data, uint32_t n, uint32_t stride, uint32_t n_rows) {
    ComputePipeline& p = pipeline(softmax_, "softmax", 1, sizeof(SoftmaxPush));
    SoftmaxPush push{n, data.offset, stride};
    const Buffer* buffers[] = {data.buffer};
    p.record(cmd, buffers, &push, groups_of(n_rows, 1));
}

void Kernels::swiglu(VkCommandBuffer cmd, At gate, At up, uint32_t n) {
    ComputePipeline& p = pipeline(swiglu_, "swiglu", 2, sizeof(PairPush));
    PairPush push{n, gate.offset, up.offset};
    const Buffer* buffers[] = {gate.buffer, up.buffer};
    p.record(cmd, buffers, &push, stride_groups(n));
}

void Kernels::add(VkCommandBuffer cmd, At a, At b, uint32_t n) {
    ComputePipeline& p = pipeline(add_, "add", 2, sizeof(PairPush));
    PairPush push{n, a.offset, b.offset};
    const Buffer* buffers[] = {a.buffer, b.buffer};
    p.record(cmd, buffers, &push, stride_groups(n));
}

} // namespace fireside::vk

#pragma once

#include "engine/quant/block_type.h"
#include "engine/vulkan/compute_pipeline.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace fireside::vk {

class Buffer;
class Device;

// A place in a buffer: `offset` counts floats for activations and values for KV caches, bytes for
// weights. Shaders index with 32-bit integers, so one buffer holds at most 4 GiB.
struct At {
    const Buffer* buffer = nullptr;
    uint32_t offset = 0;
};

// How the fused matrix kernels split work: invocations per row (reducing through shared memory when
// more than one) and rows per workgroup. GPUs want many invocations per row for coalesced reads;
// CPU rasterizers (lavapipe) run fastest with one invocation per row and no barriers.
struct MatmulShape {
    uint32_t threads_per_row = 32;
    uint32_t rows_per_group = 2;
};
MatmulShape default_matmul_shape(const Device& device);

// The compute kernels of the forward pass, each recorded into a command buffer (no barriers: the
// caller places compute_barrier() between dependent steps, so independent ones may overlap).
// Pipelines are built on first use.
class Kernels {
public:
    explicit Kernels(Device& device);
    Kernels(Device& device, MatmulShape shape);
    ~Kernels();

    static bool supports(BlockType type);
    const MatmulShape& matmul_shape() const { return shape_; }

    // y[t][r] (+)= W[r] . x[t] for t < n_tokens, W = n_rows rows of n_cols values in `type`, each
    // row_bytes long, starting at w.offset bytes. x rows are x_stride floats apart, y rows y_stride.
    void mul_mat(VkCommandBuffer cmd, BlockType type, At w, uint32_t n_cols, uint32_t n_rows,
                 uint32_t row_bytes, At x, uint32_t x_stride, At y, uint32_t y_stride, uint32_t n_tokens,
                 bool accumulate = false);
    // The same product over weights repacked by make_planes (planes.h): w.offset and scales_at in
    // 16-byte units, x offset and stride multiples of 4 floats. Weights and activations are read as
    // texel buffers, so their buffers may hold at most maxTexelBufferElements 16-byte texels.
    void mul_mat_planes(VkCommandBuffer cmd, BlockType type, At w, uint32_t scales_at, uint32_t n_cols,
                        uint32_t n_rows, At x, uint32_t x_stride, At y, uint32_t y_stride, uint32_t n_tokens,
                        bool accumulate = false);
    // out[t] = dequantized row ids[t] (uint32 ids at ids.offset) of an n_cols-wide table.
    void get_rows(VkCommandBuffer cmd, BlockType type, At w, uint32_t n_cols, uint32_t row_bytes, At ids,
                  uint32_t n_tokens, At out, uint32_t out_stride);
    // n_rows rows of n values, `stride` floats apart, in x and y alike.
    void rms_norm(VkCommandBuffer cmd, At x, At weight, At y, uint32_t n, uint32_t stride, uint32_t n_rows,
                  float eps);
    // Rotates n_heads heads of head_dim values per token (rows `stride` apart) by a table of n_rot
    // floats (cos, sin per pair) per token.
    void rope(VkCommandBuffer cmd, At data, uint32_t stride, At table, uint32_t n_heads, uint32_t head_dim,
              uint32_t n_rot, uint32_t n_tokens);
    // Stores n_tokens rows of kv_dim values at positions pos0 ... of a cache (offset in values).
    void kv_store(VkCommandBuffer cmd, At src, uint32_t src_stride, At cache, uint32_t kv_dim,
                  uint32_t n_tokens, uint32_t pos0, bool f16);
    // Reads n_tokens cached rows at positions pos0 ... into f32 rows dst_stride floats apart.
    void kv_load(VkCommandBuffer cmd, At cache, uint32_t kv_dim, uint32_t n_tokens, uint32_t pos0, bool f16,
                 At dst, uint32_t dst_stride);
    struct AttentionArgs {
        uint32_t n_head, n_head_kv, head_dim, kv_dim;
        uint32_t pos0, n_tokens;
        bool f16;
    };
    void attention(VkCommandBuffer cmd, const AttentionArgs& a, At q, uint32_t q_stride, At k, At v, At out,
                   uint32_t out_stride);
    void softmax(VkCommandBuffer cmd, At data, uint32_t n, uint32_t stride, uint32_t n_rows);
    void swiglu(VkCommandBuffer cmd, At gate, At up, uint32_t n);
    void add(VkCommandBuffer cmd, At a, At b, uint32_t n);

private:
    ComputePipeline& pipeline(std::unique_ptr<ComputePipeline>& slot, const char* shader, uint32_t n_buffers,
                              uint32_t push_bytes, std::span<const uint32_t> spec = {});
    ComputePipeline& planes_pipeline(std::unique_ptr<ComputePipeline>& slot, const std::string& shader);

    Device& device_;
    MatmulShape shape_;
    std::array<std::unique_ptr<ComputePipeline>, 16> mul_mat_, mat_vec_, get_rows_;
    std::array<std::unique_ptr<ComputePipeline>, 2> mul_mat_planes_, mat_vec_planes_;
    std::unique_ptr<ComputePipeline> rms_norm_, rope_, kv_store_, kv_load_, attention_, softmax_, swiglu_,
        add_;
};

} // namespace fireside::vk

#pragma once

#include "engine/model/layer_backend.h"
#include "engine/model/llama_weights.h"
#include "engine/model/model_desc.h"
#include "engine/model/rope.h"
#include "engine/vulkan/gpu_memory_plan.h"
#include "engine/vulkan/kernels.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fireside::vk {

class Buffer;
class Device;
class Instance;

struct VulkanBackendOptions {
    std::optional<std::string> device; // index or part of a name; default: Instance::choose()
    bool validation = false;           // Khronos validation layer (tests)
    BlockType kv_type = BlockType::F16;
    int64_t max_batch = 512;
    // Called as weights upload (bytes done, bytes total); returning false cancels (throws Cancelled).
    std::function<bool(uint64_t, uint64_t)> progress;
    std::optional<MatmulShape> matmul_shape; // default: chosen for the device
    // Repack the weights that have a planes layout (planes.h) at upload; default: on CPU rasterizers,
    // whose SIMD lanes read the file's 18-byte blocks slowly.
    std::optional<bool> planes;
};

bool uses_planes(const DeviceInfo& device, const VulkanBackendOptions& options);

// The last N transformer layers of a LLaMA model (and at N = n_layer + 1 the output norm and matrix)
// on a Vulkan device. Their weights and KV cache live in device memory; the hidden state crosses once
// on the way in and once on the way out (or the logits come out instead), and all the GPU work of one
// batch is recorded into one command buffer and submitted once.
//
// The LayerBackend seam calls run_layer for each layer. The first GPU layer's call records and runs
// every GPU layer (the backend holds its own copies of their weights); the calls for the later GPU
// layers only check that they belong to the same batch. When the output is on the GPU, the work is
// submitted by run_output, which must then follow every batch.
class VulkanLayerBackend final : public LayerBackend {
public:
    // Checks the memory plan against the device first (Error naming the largest N that fits), then
    // uploads through a staging buffer. n_gpu_layers is 1 .. n_layer + 1.
    VulkanLayerBackend(const ModelDesc& desc, const LlamaWeights& weights, int64_t n_gpu_layers,
                       int64_t n_ctx, const VulkanBackendOptions& options = {});
    ~VulkanLayerBackend() override;

    const char* name() const override { return "vulkan"; }
    void run_layer(int64_t layer, const LayerWeights& weights, BatchState& batch) override;
    // Moves the cached positions [begin, end) of every GPU layer by delta on the device: keys rotated
    // by the angle of delta (as shift_kv_positions does on the CPU), values copied.
    bool can_shift_kv() const override { return true; }
    void shift_kv(int64_t begin, int64_t end, int64_t delta) override;

    int64_t first_layer() const { return first_layer_; }
    bool runs_output() const { return with_output_; }
    // Final norm and output matrix for rows [first_row, n_tokens) of the batch that just ran through
    // the layers, written to `logits` (n_vocab per row); logits may be null when no row is wanted.
    void run_output(const BatchState& batch, int64_t first_row, float* logits);

    const DeviceInfo& device_info() const;
    const Instance& instance() const { return *instance_; }
    // Makes the next batch fail as a lost device would (tests of the CPU fallback).
    void fail_next_batch_for_testing() { inject_failure_ = true; }

private:
    struct GpuMatrix {
        std::unique_ptr<Buffer> buffer;
        BlockType type;
        uint32_t n_cols, n_rows, row_bytes;
        bool planes = false;
        uint32_t scales_at = 0; // planes only
    };
    struct GpuLayer {
        GpuMatrix wq, wk, wv, wo, w1, w2, w3;
        std::unique_ptr<Buffer> norms; // attn_norm then ffn_norm
        std::unique_ptr<Buffer> k_cache, v_cache;
    };
    class Uploader;

    void record_layer(VkCommandBuffer cmd, const GpuLayer& l, uint32_t n, uint32_t pos0);
    void mul_mat(VkCommandBuffer cmd, const GpuMatrix& m, const Buffer& x, uint32_t x_offset, const Buffer& y,
                 uint32_t n, bool accumulate);
    void submit(VkCommandBuffer cmd);
    [[noreturn]] void fail(const std::exception& e);

    const ModelDesc& desc_;
    int64_t n_ctx_, max_batch_, first_layer_;
    bool with_output_;
    bool f16_cache_;
    bool planes_ = false;
    RopeParams rope_;
    std::unique_ptr<Instance> instance_;
    std::unique_ptr<Device> device_;
    std::unique_ptr<Kernels> kernels_;
    std::vector<GpuLayer> layers_;
    GpuMatrix output_;
    std::unique_ptr<Buffer> output_norm_;
    std::unique_ptr<Buffer> hidden_, norm_, q_, k_, v_, attn_, gate_, up_, logits_;
    std::unique_ptr<Buffer> shift_k_, shift_v_, shift_table_; // made at the first shift_kv
    std::unique_ptr<Buffer> io_in_, io_out_;   // host-visible: hidden + RoPE table in, hidden or logits out
    VkCommandBuffer pending_ = VK_NULL_HANDLE; // recorded layers waiting for run_output
    int64_t pending_pos0_ = -1, pending_n_ = 0;
    bool lost_ = false;
    bool inject_failure_ = false;
    std::vector<float> table_;
};

} // namespace fireside::vk

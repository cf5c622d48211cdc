#include "engine/vulkan/vulkan_layer_backend.h"

#include "engine/core/error.h"
#include "engine/vulkan/buffer.h"
#include "engine/vulkan/device.h"
#include "engine/vulkan/instance.h"
#include "engine/vulkan/planes.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace fireside::vk {
namespace {

uint64_t padded(uint64_t bytes) {
    return (bytes + 3) / 4 * 4 + 4;
}

void transfer_to_compute_barrier(VkCommandBuffer cmd) {
    compute_barrier(cmd);
}

void to_host_barrier(VkCommandBuffer cmd) {
    VkMemoryBarrier barrier{};
    barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

void copy(VkCommandBuffer cmd, const Buffer& from, uint64_t from_offset, const Buffer& to, uint64_t to_offset,
          uint64_t bytes) {
    VkBufferCopy region{from_offset, to_offset, bytes};
    vkCmdCopyBuffer(cmd, from.handle(), to.handle(), 1, &region);
}

uint32_t u32(int64_t v) {
    return static_cast<uint32_t>(v);
}

} // namespace

bool uses_planes(const DeviceInfo& device, const VulkanBackendOptions& options) {
    return options.planes.value_or(device.kind == DeviceKind::Software);
}

// Copies host data into device-local buffers through one staging buffer, several tensors per submit,
// reporting progress and honouring cancellation between submits.
class VulkanLayerBackend::Uploader {
public:
    Uploader(Device& device, uint64_t total, const std::function<bool(uint64_t, uint64_t)>& progress)
        : device_(device), total_(total), progress_(progress),
          staging_(device, std::max<uint64_t>(std::min<uint64_t>(total, kStagingBytes), 4),
                   MemoryKind::HostVisible) {}

    std::unique_ptr<Buffer> upload(const void* data, uint64_t bytes) {
        auto buffer = std::make_unique<Buffer>(device_, padded(bytes), MemoryKind::DeviceLocal);
        const auto* src = static_cast<const std::byte*>(data);
        uint64_t done = 0;
        while (done < bytes) {
            if (used_ == staging_.size()) flush();
            const uint64_t n = std::min(bytes - done, staging_.size() - used_);
            std::memcpy(static_cast<std::byte*>(staging_.mapped()) + used_, src + done, n);
            copies_.push_back({buffer.get(), used_, done, n});
            used_ += n;
            done += n;
        }
        return buffer;
    }

    void flush() {
        if (copies_.empty()) return;
        device_.submit_and_wait([&](VkCommandBuffer cmd) {
            for (const Copy& c : copies_) copy(cmd, staging_, c.staging_offset, *c.to, c.to_offset, c.bytes);
        });
        for (const Copy& c : copies_) sent_ += c.bytes;
        copies_.clear();
        used_ = 0;
        if (progress_ && !progress_(sent_, total_)) throw Cancelled();
    }

private:
    static constexpr uint64_t kStagingBytes = 64ull << 20;
    struct Copy {
        const Buffer* to;
        uint64_t staging_offset, to_offset, bytes;
    };
    Device& device_;
    uint64_t total_, sent_ = 0, used_ = 0;
    const std::function<bool(uint64_t, uint64_t)>& progress_;
    Buffer staging_;
    std::vector<Copy> copies_;
};

VulkanLayerBackend::VulkanLayerBackend(const ModelDesc& desc, const LlamaWeights& weights,
                                       int64_t n_gpu_layers, int64_t n_ctx,
                                       const VulkanBackendOptions& options)
    : desc_(desc), n_ctx_(n_ctx), max_batch_(std::max<int64_t>(options.max_batch, 1)),
      first_layer_(desc.n_layer - std::min(n_gpu_layers, desc.n_layer)),
      with_output_(n_gpu_layers > desc.n_layer), f16_cache_(options.kv_type == BlockType::F16),
      rope_(rope_params_for(desc, n_ctx)) {
    if (n_gpu_layers < 1 || n_gpu_layers > desc.n_layer + 1)
        throw Error(fmt::format("GPU layers {} is out of range for a model of {} layers (1 .. {})",
                                n_gpu_layers, desc.n_layer, desc.n_layer + 1));
    if (options.kv_type != BlockType::F16 && options.kv_type != BlockType::F32)
        throw Error("the Vulkan KV cache holds f16 or f32 values");
    if (desc.head_dim > 256 || desc.head_dim % 2 != 0)
        throw Error(fmt::format("the Vulkan backend supports heads of up to 256 values (this model: {})",
                                desc.head_dim));
    instance_ = std::make_unique<Instance>(InstanceOptions{.validation = options.validation});
    device_ = std::make_unique<Device>(*instance_, instance_->choose(options.device));
    const DeviceInfo& info = device_->info();

    planes_ = uses_planes(info, options);
    const GpuMemoryPlan plan = plan_gpu_memory(desc, weights, n_ctx, max_batch_, options.kv_type, planes_);
    check_fits(plan, n_gpu_layers, info);
    kernels_ = options.matmul_shape ? std::make_unique<Kernels>(*device_, *options.matmul_shape)
                                    : std::make_unique<Kernels>(*device_);

    const uint64_t max_buffer = std::min<uint64_t>(info.max_buffer_range, 0xffffffffull);
    // Repacked unless the planes (larger than the file's blocks) would not fit one buffer or one texel
    // buffer view.
    auto repack = [&](const WeightMatrix& m) {
        if (!planes_ || !uses_planes(m)) return false;
        const uint64_t bytes = padded(planes_bytes(m.type, m.n_cols, m.n_rows));
        return bytes <= max_buffer && bytes / 16 <= info.max_texel_elements;
    };
    // The bytes the upload copies (the plan counts padded buffers).
    auto raw = [&](const WeightMatrix& m) {
        if (repack(m)) return planes_bytes(m.type, m.n_cols, m.n_rows);
        return static_cast<uint64_t>(m.row_bytes) * static_cast<uint64_t>(m.n_rows);
    };
    auto check_matrix = [&](const WeightMatrix& m, const char* what) {
        if (!Kernels::supports(m.type))
            throw Error(fmt::format("the Vulkan backend cannot run {} weights ({})",
                                    block_traits(m.type).name, what));
        const uint64_t bytes = raw(m);
        if (padded(bytes) > max_buffer)
            throw Error(
                fmt::format("{} ({} MiB) is larger than one buffer of '{}' may be ({} MiB); use fewer GPU "
                            "layers",
                            what, bytes >> 20, info.name, info.max_buffer_range >> 20));
    };
    uint64_t total = 0;
    for (int64_t il = first_layer_; il < desc.n_layer; ++il) {
        const LayerWeights& w = weights.layers[static_cast<size_t>(il)];
        total += raw(w.wq) + raw(w.wk) + raw(w.wv) + raw(w.wo) + raw(w.w1) + raw(w.w2) + raw(w.w3) +
                 (w.attn_norm.size() + w.ffn_norm.size()) * sizeof(float);
    }
    if (with_output_) total += raw(weights.output) + weights.output_norm.size() * sizeof(float);

    Uploader up(*device_, total, options.progress);
    auto upload_matrix = [&](const WeightMatrix& m, const char* what) {
        check_matrix(m, what);
        GpuMatrix g;
        g.type = m.type;
        g.n_cols = u32(m.n_cols);
        g.n_rows = u32(m.n_rows);
        g.row_bytes = static_cast<uint32_t>(m.row_bytes);
        if (repack(m)) {
            const Planes p = make_planes(m.type, m.data, m.n_cols, m.n_rows, m.row_bytes);
            g.planes = true;
            g.scales_at = p.scales_at;
            g.buffer = up.upload(p.bytes.data(), p.bytes.size());
        } else {
            g.buffer = up.upload(m.data, raw(m));
        }
        return g;
    };
    const uint64_t kv_bytes =
        padded(static_cast<uint64_t>(n_ctx) * u32(desc.n_head_kv * desc.head_dim) * (f16_cache_ ? 2u : 4u));
    for (int64_t il = first_layer_; il < desc.n_layer; ++il) {
        const LayerWeights& w = weights.layers[static_cast<size_t>(il)];
        GpuLayer l;
        l.wq = upload_matrix(w.wq, "attention.wq");
        l.wk = upload_matrix(w.wk, "attention.wk");
        l.wv = upload_matrix(w.wv, "attention.wv");
        l.wo = upload_matrix(w.wo, "attention.wo");
        l.w1 = upload_matrix(w.w1, "feed_forward.w1");
        l.w2 = upload_matrix(w.w2, "feed_forward.w2");
        l.w3 = upload_matrix(w.w3, "feed_forward.w3");
        std::vector<float> norms(w.attn_norm);
        norms.insert(norms.end(), w.ffn_norm.begin(), w.ffn_norm.end());
        l.norms = up.upload(norms.data(), norms.size() * sizeof(float));
        l.k_cache = std::make_unique<Buffer>(*device_, kv_bytes, MemoryKind::DeviceLocal);
        l.v_cache = std::make_unique<Buffer>(*device_, kv_bytes, MemoryKind::DeviceLocal);
        layers_.push_back(std::move(l));
    }
    if (with_output_) {
        output_ = upload_matrix(weights.output, "output");
        output_norm_ = up.upload(weights.output_norm.data(), weights.output_norm.size() * sizeof(float));
    }
    up.flush();

    const uint64_t b = static_cast<uint64_t>(max_batch_) * 4;
    const uint64_t e = u32(desc.n_embd), q = u32(desc.n_head * desc.head_dim);
    const uint64_t kv = u32(desc.n_head_kv * desc.head_dim), ff = u32(desc.n_ff);
    auto scratch = [&](uint64_t n) {
        return std::make_unique<Buffer>(*device_, b * n, MemoryKind::DeviceLocal);
    };
    hidden_ = scratch(e);
    norm_ = scratch(e);
    q_ = scratch(q);
    attn_ = scratch(q);
    k_ = scratch(kv);
    v_ = scratch(kv);
    gate_ = scratch(ff);
    up_ = scratch(ff);
    if (with_output_) logits_ = scratch(u32(desc.n_vocab));
    io_in_ = std::make_unique<Buffer>(*device_, b * (e + u32(desc.n_rot)), MemoryKind::HostVisible);
    io_out_ = std::make_unique<Buffer>(
        *device_, b * (with_output_ ? std::max<uint64_t>(e, u32(desc.n_vocab)) : e), MemoryKind::HostVisible);
}

VulkanLayerBackend::~VulkanLayerBackend() {
    if (pending_ && device_) device_->abandon(pending_);
}

const DeviceInfo& VulkanLayerBackend::device_info() const {
    return device_->info();
}

void VulkanLayerBackend::mul_mat(VkCommandBuffer cmd, const GpuMatrix& m, const Buffer& x, uint32_t x_offset,
                                 const Buffer& y, uint32_t n, bool accumulate) {
    if (m.planes) {
        kernels_->mul_mat_planes(cmd, m.type, {m.buffer.get(), 0}, m.scales_at, m.n_cols, m.n_rows,
                                 {&x, x_offset}, m.n_cols, {&y, 0}, m.n_rows, n, accumulate);
        return;
    }
    kernels_->mul_mat(cmd, m.type, {m.buffer.get(), 0}, m.n_cols, m.n_rows, m.row_bytes, {&x, x_offset},
                      m.n_cols, {&y, 0}, m.n_rows, n, accumulate);
}

void VulkanLayerBackend::record_layer(VkCommandBuffer cmd, const GpuLayer& l, uint32_t n, uint32_t pos0) {
    const uint32_t e = u32(desc_.n_embd), hd = u32(desc_.head_dim), n_rot = u32(desc_.n_rot);
    const uint32_t q_dim = u32(desc_.n_head) * hd, kv_dim = u32(desc_.n_head_kv) * hd;
    const At table{io_in_.get(), static_cast<uint32_t>(max_batch_) * e};

    kernels_->rms_norm(cmd, {hidden_.get(), 0}, {l.norms.get(), 0}, {norm_.get(), 0}, e, e, n, desc_.rms_eps);
    compute_barrier(cmd);
    mul_mat(cmd, l.wq, *norm_, 0, *q_, n, false);
    mul_mat(cmd, l.wk, *norm_, 0, *k_, n, false);
    mul_mat(cmd, l.wv, *norm_, 0, *v_, n, false);
    compute_barrier(cmd);
    kernels_->rope(cmd, {q_.get(), 0}, q_dim, table, u32(desc_.n_head), hd, n_rot, n);
    kernels_->rope(cmd, {k_.get(), 0}, kv_dim, table, u32(desc_.n_head_kv), hd, n_rot, n);
    compute_barrier(cmd);
    kernels_->kv_store(cmd, {k_.get(), 0}, kv_dim, {l.k_cache.get(), 0}, kv_dim, n, pos0, f16_cache_);
    kernels_->kv_store(cmd, {v_.get(), 0}, kv_dim, {l.v_cache.get(), 0}, kv_dim, n, pos0, f16_cache_);
    compute_barrier(cmd);
    kernels_->attention(cmd, {u32(desc_.n_head), u32(desc_.n_head_kv), hd, kv_dim, pos0, n, f16_cache_},
                        {q_.get(), 0}, q_dim, {l.k_cache.get(), 0}, {l.v_cache.get(), 0}, {attn_.get(), 0},
                        q_dim);
    compute_barrier(cmd);
    mul_mat(cmd, l.wo, *attn_, 0, *hidden_, n, true); // the residual add is fused
    compute_barrier(cmd);
    kernels_->rms_norm(cmd, {hidden_.get(), 0}, {l.norms.get(), e}, {norm_.get(), 0}, e, e, n, desc_.rms_eps);
    compute_barrier(cmd);
    mul_mat(cmd, l.w1, *norm_, 0, *gate_, n, false);
    mul_mat(cmd, l.w3, *norm_, 0, *up_, n, false);
    compute_barrier(cmd);
    kernels_->swiglu(cmd, {gate_.get(), 0}, {up_.get(), 0}, n * u32(desc_.n_ff));
    compute_barrier(cmd);
    mul_mat(cmd, l.w2, *gate_, 0, *hidden_, n, true);
    compute_barrier(cmd);
}

void VulkanLayerBackend::submit(VkCommandBuffer cmd) {
    if (inject_failure_) {
        inject_failure_ = false;
        device_->abandon(cmd);
        throw Error("submitting GPU work: VK_ERROR_DEVICE_LOST");
    }
    device_->submit_and_wait(cmd);
}

void VulkanLayerBackend::fail(const std::exception& e) {
    lost_ = true;
    throw Error(fmt::format("the GPU '{}' failed: {}", device_->info().name, e.what()));
}

void VulkanLayerBackend::run_layer(int64_t layer, const LayerWeights&, BatchState& batch) {
    if (lost_) throw Error(fmt::format("the GPU '{}' failed earlier; run on the CPU", device_->info().name));
    if (layer < first_layer_ || layer >= desc_.n_layer)
        throw Error(fmt::format("internal: layer {} is not on the GPU", layer));
    if (batch.n_tokens <= 0 || batch.n_tokens > max_batch_)
        throw Error(fmt::format("internal: a batch of {} tokens exceeds the GPU batch of {}", batch.n_tokens,
                                max_batch_));
    if (batch.pos0 < 0 || batch.pos0 + batch.n_tokens > n_ctx_)
        throw Error(fmt::format("the context is full: {} tokens at position {} exceed the context size {}",
                                batch.n_tokens, batch.pos0, n_ctx_));
    if (layer != first_layer_) {
        // Recorded (and, without the output, already run) with the first GPU layer.
        if (pending_pos0_ != batch.pos0 || pending_n_ != batch.n_tokens)
            throw Error("internal: GPU layers must run in order within one batch");
        return;
    }
    if (pending_) {
        device_->abandon(pending_);
        pending_ = VK_NULL_HANDLE;
    }
    const uint32_t n = static_cast<uint32_t>(batch.n_tokens), e = u32(desc_.n_embd), n_rot = u32(desc_.n_rot);
    auto* in = static_cast<float*>(io_in_->mapped());
    std::memcpy(in, batch.hidden, static_cast<size_t>(n) * e * sizeof(float));
    table_.resize(static_cast<size_t>(n) * n_rot);
    for (uint32_t t = 0; t < n; ++t) rope_angles(rope_, batch.pos0 + t, table_.data() + t * n_rot);
    std::memcpy(in + static_cast<size_t>(max_batch_) * e, table_.data(), table_.size() * sizeof(float));

    VkCommandBuffer cmd = VK_NULL_HANDLE;
    try {
        cmd = device_->begin();
        copy(cmd, *io_in_, 0, *hidden_, 0, uint64_t{n} * e * 4);
        transfer_to_compute_barrier(cmd);
        for (const GpuLayer& l : layers_) record_layer(cmd, l, n, static_cast<uint32_t>(batch.pos0));
        pending_pos0_ = batch.pos0;
        pending_n_ = batch.n_tokens;
        if (with_output_) {
            pending_ = cmd;
            return;
        }
        copy(cmd, *hidden_, 0, *io_out_, 0, uint64_t{n} * e * 4);
        to_host_barrier(cmd);
        VkCommandBuffer submitted = cmd;
        cmd = VK_NULL_HANDLE; // submit() frees it, whatever happens
        submit(submitted);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& ex) {
        if (cmd) device_->abandon(cmd);
        fail(ex);
    }
    std::memcpy(batch.hidden, io_out_->mapped(), static_cast<size_t>(n) * e * sizeof(float));
}

void VulkanLayerBackend::shift_kv(int64_t begin, int64_t end, int64_t delta) {
    if (lost_) throw Error(fmt::format("the GPU '{}' failed earlier; run on the CPU", device_->info().name));
    if (begin < 0 || end < begin || end > n_ctx_ || begin + delta < 0 || end + delta > n_ctx_)
        throw Error(fmt::format("cannot move cached positions {}..{} by {} in a context of {} tokens", begin,
                                end, delta, n_ctx_));
    if (pending_) throw Error("internal: the KV cache moved between a batch's layers and its output");
    const int64_t n = end - begin;
    if (n == 0 || delta == 0) return;
    const uint32_t kv_dim = u32(desc_.n_head_kv * desc_.head_dim), n_rot = u32(desc_.n_rot);
    if (!shift_k_) {
        const uint64_t rows = static_cast<uint64_t>(n_ctx_) * kv_dim * 4;
        shift_k_ = std::make_unique<Buffer>(*device_, rows, MemoryKind::DeviceLocal);
        shift_v_ = std::make_unique<Buffer>(*device_, rows, MemoryKind::DeviceLocal);
        shift_table_ = std::make_unique<Buffer>(
            *device_, static_cast<uint64_t>(n_ctx_) * std::max(n_rot, 2u) * 4, MemoryKind::HostVisible);
    }
    // Every moved key turns by the angle of position delta: the same row of the table per token.
    std::vector<float> angles(n_rot);
    rope_angles(rope_, delta, angles.data());
    auto* table = static_cast<float*>(shift_table_->mapped());
    for (int64_t t = 0; t < n; ++t) std::memcpy(table + t * n_rot, angles.data(), n_rot * sizeof(float));

    const uint32_t rows = u32(n), from = u32(begin), to = u32(begin + delta);
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    try {
        cmd = device_->begin();
        for (const GpuLayer& l : layers_) {
            // Out first, then back in: the ranges overlap whenever |delta| < n.
            kernels_->kv_load(cmd, {l.k_cache.get(), 0}, kv_dim, rows, from, f16_cache_, {shift_k_.get(), 0},
                              kv_dim);
            kernels_->kv_load(cmd, {l.v_cache.get(), 0}, kv_dim, rows, from, f16_cache_, {shift_v_.get(), 0},
                              kv_dim);
            compute_barrier(cmd);
            kernels_->rope(cmd, {shift_k_.get(), 0}, kv_dim, {shift_table_.get(), 0}, u32(desc_.n_head_kv),
                           u32(desc_.head_dim), n_rot, rows);
            compute_barrier(cmd);
            kernels_->kv_store(cmd, {shift_k_.get(), 0}, kv_dim, {l.k_cache.get(), 0}, kv_dim, rows, to,
                               f16_cache_);
            kernels_->kv_store(cmd, {shift_v_.get(), 0}, kv_dim, {l.v_cache.get(), 0}, kv_dim, rows, to,
                               f16_cache_);
            compute_barrier(cmd);
        }
        VkCommandBuffer submitted = cmd;
        cmd = VK_NULL_HANDLE;
        submit(submitted);
    } catch (const std::exception& ex) {
        if (cmd) device_->abandon(cmd);
        fail(ex);
    }
}

void VulkanLayerBackend::run_output(const BatchState& batch, int64_t first_row, float* logits) {
    if (!with_output_) throw Error("internal: the output layer is not on the GPU");
    if (!pending_ || pending_pos0_ != batch.pos0 || pending_n_ != batch.n_tokens)
        throw Error("internal: run_output must follow the GPU layers of the same batch");
    VkCommandBuffer cmd = pending_;
    pending_ = VK_NULL_HANDLE;
    const uint32_t e = u32(desc_.n_embd), vocab = u32(desc_.n_vocab);
    const uint32_t rows = logits ? static_cast<uint32_t>(batch.n_tokens - first_row) : 0;
    try {
        if (rows > 0) {
            const uint32_t first = static_cast<uint32_t>(first_row) * e;
            kernels_->rms_norm(cmd, {hidden_.get(), first}, {output_norm_.get(), 0}, {norm_.get(), 0}, e, e,
                               rows, desc_.rms_eps);
            compute_barrier(cmd);
            mul_mat(cmd, output_, *norm_, 0, *logits_, rows, false);
            compute_barrier(cmd);
            copy(cmd, *logits_, 0, *io_out_, 0, uint64_t{rows} * vocab * 4);
            to_host_barrier(cmd);
        }
        VkCommandBuffer submitted = cmd;
        cmd = VK_NULL_HANDLE;
        submit(submitted);
    } catch (const std::exception& ex) {
        if (cmd) device_->abandon(cmd);
        fail(ex);
    }
    if (rows > 0) std::memcpy(logits, io_out_->mapped(), static_cast<size_t>(rows) * vocab * sizeof(float));
}

} // namespace fireside::vk
